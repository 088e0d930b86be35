"""Forms of IT repair and procurement requests. They parse input only; the services decide.
Choices (categories, assets, teams, assignees) come from the selectors that built the page, so
a posted id outside them is an invalid choice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from core.text import LineField

from ..models import TicketPriority


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class AssetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.name}"


class TicketForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    asset = AssetChoiceField(
        label=_("Asset"),
        queryset=None,
        required=False,
        empty_label=_("(none, or not in my custody)"),
        help_text=_("The items in your custody."),
    )
    location = LineField(label=_("Location"), max_length=200, help_text=_("Building, floor, room."))
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        required=False,
        help_text=_("Up to 5 PNG, JPEG or GIF images."),
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )

    def __init__(self, *args, categories, assets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["asset"].queryset = assets


class CommentForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[("in_progress", _("In progress")), ("resolved", _("Resolved"))],
    )
    note = forms.CharField(
        label=_("Note to the requester"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(StyledFormMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, teams, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["assignee"].queryset = people
        self.fields["assignee"].label_from_instance = lambda u: u.display_name


class CloseForm(StyledFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        widget=forms.RadioSelect,
        help_text=_("5 very satisfied, 1 not at all."),
    )
    comment = LineField(label=_("Comment on the service"), required=False, max_length=500)


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProcurementForm(StyledFormMixin, forms.Form):
    item = LineField(label=_("Item"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    estimated_amount = forms.DecimalField(
        label=_("Estimated amount (NT$)"),
        min_value=1,
        max_digits=14,
        decimal_places=0,
        help_text=_("The amount decides the approval route."),
    )
    budget_code = LineField(label=_("Budget code"), max_length=30)
    justification = forms.CharField(
        label=_("Justification"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files: PDF, images or office documents."),
    )
