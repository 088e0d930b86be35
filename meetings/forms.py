"""Forms of meeting tracking. Each parses input only; the services decide. Every choice of a
unit, person, agenda item or series comes from the queryset the page was built with, so a
posted id outside it is refused as an invalid choice."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from core.models import Organization
from core.text import LineField
from core.widgets import LocalDateInput

from .choices import CaseStatus, Proposal

FIGURE_ROWS = 5


class RichTextarea(forms.Textarea):
    """A textarea that ``static/meetings/rich-text.js`` turns into a small editor (toolbar and
    an editable area, under the CSP: a script file, no inline code). Without JavaScript it
    stays a textarea; the server sanitises whatever is posted (``services.filing``)."""

    template_name = "meetings/widgets/rich_text.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = {
            "toolbar": _("Formatting"),
            "bold": _("Bold"),
            "italic": _("Italic"),
            "bullets": _("Bulleted list"),
            "numbers": _("Numbered list"),
            "heading": _("Heading"),
            "paragraph": _("Paragraph"),
            "table": _("Table"),
            "row": _("Add a table row"),
            "item": _("Item"),
            "value": _("Value"),
        }
        context["widget"]["attrs"]["data-rich-text"] = json.dumps(
            {k: str(v) for k, v in labels.items()}, ensure_ascii=False
        )
        return context


def _units():
    return Organization.objects.filter(is_active=True).order_by("sort_order", "code")


class DateTimeFormMixin:
    """``<prefix>_date`` + ``<prefix>_time`` fields combined into an aware datetime."""

    def combine(self, prefix: str) -> dt.datetime | None:
        day = self.cleaned_data.get(f"{prefix}_date")
        time = self.cleaned_data.get(f"{prefix}_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))


class MeetingForm(DateTimeFormMixin, StyledFormMixin, forms.Form):
    series = forms.ModelChoiceField(label=_("Series"), queryset=None)
    title = LineField(label=_("Title"), max_length=200)
    starts_date = forms.DateField(label=_("Date"), widget=LocalDateInput)
    starts_time = forms.TimeField(label=_("Time"), help_text=_("For example 09:30."))
    place = LineField(label=_("Place"), max_length=200, required=False)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=None, required=False)
    secretary = forms.ModelChoiceField(label=_("Secretary"), queryset=None, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, series_choices, **kwargs):
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["series"].queryset = series_choices
        for name in ("chair", "secretary", "attendees"):
            self.fields[name].queryset = people


class FilingOpenForm(DateTimeFormMixin, StyledFormMixin, forms.Form):
    deadline_date = forms.DateField(label=_("Filing deadline (date)"), widget=LocalDateInput)
    deadline_time = forms.TimeField(label=_("Filing deadline (time)"), initial="17:00")
    units = forms.ModelMultipleChoiceField(
        label=_("Units that must file"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()


class AgendaItemForm(StyledFormMixin, forms.Form):
    title = LineField(label=_("Agenda item"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    unit = forms.ModelChoiceField(label=_("Presenting unit"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))


class DirectiveForm(StyledFormMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)
    directive = forms.CharField(label=_("Directive"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=None)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    due_date = forms.DateField(label=_("Due date"), widget=LocalDateInput)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()
        self.fields["lead_unit"].queryset = _units()
        self.fields["co_units"].queryset = _units()


class ReportForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Work report"),
        widget=RichTextarea(attrs={"rows": 8}),
        required=False,
        help_text=_(
            "Paragraphs, lists and tables are kept; other markup is removed. Without the "
            "editor, a blank line starts a new paragraph."
        ),
    )
    issues = forms.CharField(
        label=_("Matters for coordination"),
        widget=RichTextarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, figures=(), **kwargs):
        super().__init__(*args, **kwargs)
        figures = list(figures)
        for i in range(max(FIGURE_ROWS, len(figures) + 1)):
            row = figures[i] if i < len(figures) else {}
            for column, label in (("label", _("Item")), ("value", _("Value")), ("note", _("Note"))):
                self.fields[f"fig_{i}_{column}"] = LineField(
                    label=f"{label} {i + 1}",
                    max_length=200,
                    required=False,
                    initial=row.get(column, ""),
                )
        self.figure_count = max(FIGURE_ROWS, len(figures) + 1)

    def figure_rows(self):
        return [
            [self[f"fig_{i}_{c}"] for c in ("label", "value", "note")]
            for i in range(self.figure_count)
        ]

    def figures(self) -> list[dict]:
        return [
            {c: self.cleaned_data.get(f"fig_{i}_{c}", "") for c in ("label", "value", "note")}
            for i in range(self.figure_count)
        ]


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("PDF or Word file"))


class LateRequestForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why must the material change?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LateDecisionForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Progress (辦理情形)"), widget=forms.Textarea(attrs={"rows": 4}))


class ProposalForm(StyledFormMixin, forms.Form):
    proposal = forms.ChoiceField(
        label=_("Proposal"), choices=Proposal.choices, widget=forms.RadioSelect
    )


class CaseDecisionForm(StyledFormMixin, forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Proposal.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class CaseFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + CaseStatus.choices
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()


class SearchForm(StyledFormMixin, forms.Form):
    q = LineField(label=_("Search"), max_length=100, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    series = forms.ModelChoiceField(label=_("Series"), queryset=None, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=LocalDateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=LocalDateInput)

    def __init__(self, *args, series_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        self.fields["series"].queryset = series_choices


class NoteForm(forms.Form):
    slide = forms.CharField(max_length=40)
    text = forms.CharField(
        label=_("My note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdvanceForm(forms.Form):
    slide = forms.CharField(max_length=40)
