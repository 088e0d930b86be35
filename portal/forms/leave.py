"""Forms of leave. They parse input only; the services decide. The type and deputy choices
come from the selectors that built the page, so a posted id outside them is an invalid
choice."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from core.text import LineField
from core.widgets import LocalDateInput

from ..constants import LEAVE_REASON_MAX


class LeaveRequestForm(StyledFormMixin, forms.Form):
    leave_type = forms.ModelChoiceField(label=_("Leave type"), queryset=None)
    start_date = forms.DateField(label=_("From (date)"), widget=LocalDateInput)
    start_time = forms.TimeField(
        label=_("From (time)"), initial="08:30", help_text=_("The working day is 08:30–17:30.")
    )
    end_date = forms.DateField(label=_("Until (date)"), widget=LocalDateInput)
    end_time = forms.TimeField(label=_("Until (time)"), initial="17:30")
    reason = LineField(label=_("Reason"), max_length=LEAVE_REASON_MAX)
    deputy = forms.ModelChoiceField(
        label=_("Deputy"),
        queryset=None,
        help_text=_("A colleague of your unit; they are asked to accept."),
    )
    attachment = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_(
            "PDF, JPEG or PNG, at most 5 MB; some types (marriage, bereavement, maternity) "
            "need one."
        ),
    )

    def __init__(self, *args, leave_types, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = leave_types
        self.fields["deputy"].queryset = deputies
        self.fields["deputy"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if all(data.get(k) for k in ("start_date", "start_time", "end_date", "end_time")):
            data["start"] = timezone.make_aware(
                dt.datetime.combine(data["start_date"], data["start_time"])
            )
            data["end"] = timezone.make_aware(
                dt.datetime.combine(data["end_date"], data["end_time"])
            )
        return data


class MonthForm(forms.Form):
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-\d{2}$", required=False)

    def first_day(self) -> dt.date:
        today = timezone.localdate()
        value = self.cleaned_data.get("month") if self.is_valid() else None
        if value:
            year, month = (int(x) for x in value.split("-"))
            if 2000 <= year <= 2200 and 1 <= month <= 12:
                return dt.date(year, month, 1)
        return today.replace(day=1)
