"""Forms of the employee portal (room booking). Each parses input only; the services decide.
The room and equipment choices come from the selectors that built the page, so a posted id
outside them is refused as an invalid choice; attendees are typed as login names or employee
numbers and resolved to active people only."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import StyledFormMixin
from core.text import LineField, clean_line
from core.widgets import LocalDateInput

from ..choices import Frequency, Weekday
from ..constants import MAX_ATTENDEES, MAX_OCCURRENCES, TITLE_MAX
from ..recurrence import Recurrence

VIEWS = [("day", _("Day")), ("week", _("Week"))]


def _plain_checkboxes(form) -> None:
    """Checkbox groups laid out by ``portal.css`` (Bootstrap's form-check-input class, which
    ``StyledFormMixin`` gives them, would float the group's container over the next field)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["class"] = "portal-checks"


class AttendeesField(forms.CharField):
    """Login names or employee numbers, separated by commas, spaces or new lines."""

    widget = forms.Textarea(attrs={"rows": 2})

    def clean(self, value):
        value = super().clean(value)
        handles = [
            clean_line(h) for h in (value or "").replace(",", " ").replace("，", " ").split()
        ]
        handles = list(dict.fromkeys(h for h in handles if h))
        if not handles:
            return []
        if len(handles) > MAX_ATTENDEES:
            raise ValidationError(
                _("At most %(max)d attendees.") % {"max": MAX_ATTENDEES}, code="too_many"
            )
        people = list(
            User.objects.filter(is_active=True).filter(
                Q(username__in=handles) | Q(employee_number__in=handles)
            )
        )
        found = {p.username for p in people} | {p.employee_number for p in people}
        unknown = [h for h in handles if h not in found]
        if unknown:
            raise ValidationError(
                _("No active member of staff is called %(names)s.")
                % {"names": ", ".join(unknown[:5])},
                code="unknown",
            )
        return people


class BookingForm(StyledFormMixin, forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=None)
    title = LineField(label=_("Title"), max_length=TITLE_MAX)
    date = forms.DateField(label=_("Date"), widget=LocalDateInput)
    start_time = forms.TimeField(label=_("From"), help_text=_("For example 09:30."))
    end_time = forms.TimeField(label=_("Until"), help_text=_("For example 11:00."))
    attendees = AttendeesField(
        label=_("Attendees"),
        required=False,
        help_text=_(
            "Login names or employee numbers, separated by commas. They get an invitation."
        ),
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment needed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = LineField(label=_("Note"), max_length=300, required=False)
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=[("", _("Does not repeat")), *Frequency.choices],
        required=False,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On (weekly)"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label=_("Repeat until"),
        widget=LocalDateInput,
        required=False,
        help_text=_("Or give a number of occurrences."),
    )
    count = forms.IntegerField(
        label=_("Number of occurrences"), min_value=1, max_value=MAX_OCCURRENCES, required=False
    )
    skip_conflicts = forms.BooleanField(
        label=_("Book the free dates and leave out the taken ones"), required=False
    )

    def __init__(self, *args, rooms, equipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda r: (
            f"{r.building.name} {r.floor} {r.name} ({r.capacity})"
        )
        self.fields["equipment"].queryset = equipment
        _plain_checkboxes(self)

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["start"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["end"] = timezone.make_aware(dt.datetime.combine(day, end))
            if end <= start:
                self.add_error("end_time", _("The end must be after the start."))
        repeat = data.get("repeat")
        data["recurrence"] = None
        if repeat:
            until, count = data.get("until"), data.get("count")
            if (until is None) == (count is None):
                self.add_error("until", _("Give either an end date or a number of occurrences."))
            else:
                weekdays = (
                    tuple(sorted(set(data.get("weekdays") or ())))
                    if repeat == Frequency.WEEKLY
                    else ()
                )
                data["recurrence"] = Recurrence(
                    freq=repeat, until=until, count=count, weekdays=weekdays
                )
        return data


class GridForm(StyledFormMixin, forms.Form):
    """The availability grid's choices (a GET form)."""

    date = forms.DateField(label=_("Date"), widget=LocalDateInput, required=False)
    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings


class RoomFilterForm(StyledFormMixin, forms.Form):
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )
    capacity = forms.IntegerField(
        label=_("At least this many seats"), min_value=1, max_value=5000, required=False
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("With"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)

    def __init__(self, *args, buildings, equipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["equipment"].queryset = equipment
        _plain_checkboxes(self)


class CancelForm(forms.Form):
    """Cancelling needs only the CSRF token; the form exists for one view per action."""
