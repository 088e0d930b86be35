"""Forms of the monitoring pages: one per action."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AcknowledgeForm(forms.Form):
    """Acknowledging needs nothing but the POST itself (CSRF-protected)."""


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("acknowledged", _("Acknowledged")),
            ("resolved", _("Resolved")),
        ],
    )
