"""Filters of "My requests" and "My approvals" (GET forms). The kind choices come from the
selector that built the page, so an unknown kind is an invalid choice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin

from ..requests import MAX_PAGES


class RequestFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Service"), required=False)
    open = forms.BooleanField(label=_("Only those still waiting"), required=False)
    page = forms.IntegerField(
        label=_("Page"), min_value=1, max_value=MAX_PAGES, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All services"))] + [
            (p.key, p.label) for p in providers
        ]


class ApprovalFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (k.key, f"{k.label} ({k.count})") for k in kinds
        ]
