"""Forms of the public side. Thin: they parse input; services decide."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import County

from .constants import MAX_PUBLIC_ATTACHMENTS
from .models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _consent_label():
    return format_html(
        '{} (<a href="{}">{}</a>)',
        _("I agree that the ministry uses my personal data to handle this petition."),
        reverse_lazy("core:privacy"),
        _("privacy notice under the Personal Data Protection Act"),
    )


class PetitionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send a confirmation link here; your petition counts once you confirm it."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), empty_label=_("Choose…")
    )
    county = forms.ModelChoiceField(
        label=_("County or city"), queryset=County.objects.all(), empty_label=_("Choose…")
    )
    body = forms.CharField(
        label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10})
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        help_text=_("Up to %(count)d files: PNG, JPEG or GIF images or PDF, each at most %(size)s.")
        % {"count": MAX_PUBLIC_ATTACHMENTS, "size": "5 MB"},
    )
    consent = forms.BooleanField(label=lazy(_consent_label, str)(), required=True)
    # Honeypot: hidden from people (CSS + aria-hidden + tabindex -1), filled by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    field_order = [
        "name",
        "email",
        "phone",
        "subject",
        "category",
        "county",
        "body",
        "attachments",
        "consent",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["consent"].error_messages["required"] = _(
            "Please agree to the privacy notice so that we can handle your petition."
        )
        self.fields["attachments"].widget.attrs["accept"] = ".png,.jpg,.jpeg,.gif,.pdf"

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_PUBLIC_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)d files can be attached."),
                params={"count": MAX_PUBLIC_ATTACHMENTS},
            )
        return files


class LookupForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=20, help_text=_("For example 115-000123.")
    )
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=20,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The code in the e-mail that gave you the case number."),
    )


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=[
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – neutral")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
