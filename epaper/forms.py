"""Forms of the subscriber side and of the subscriber management. Thin: they parse input;
``services.subscriptions``, ``services.imports`` and ``services.privacy`` decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.text import LineField, NormalisedEmailField

from .models import Newsletter, SubscriberState
from .selectors import localised, newsletters_open


def _consent_label():
    return format_html(
        '{} (<a href="{}">{}</a>)',
        _(
            "I agree that the Ministry of Labor keeps my e-mail address to send me the "
            "newsletters I choose, until I leave them."
        ),
        reverse_lazy("core:privacy"),
        _("privacy notice under the Personal Data Protection Act"),
    )


class NewsletterChoiceField(forms.ModelMultipleChoiceField):
    """Newsletters as checkboxes, chosen by code; the label is the name in the page's
    language."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Choose at least one newsletter."),
                "invalid_choice": _("Choose newsletters from the list."),
                "invalid_pk_value": _("Choose newsletters from the list."),
            },
        )
        super().__init__(queryset, to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return localised(obj, "name")


class NewsletterOptionsMixin:
    """``options``: each checkbox of ``newsletters`` with its newsletter's details, for the
    template (name, description, publisher and frequency in the page's language)."""

    def options(self):
        by_code = {n.code: n for n in self.fields["newsletters"].queryset}
        result = []
        for box in self["newsletters"]:
            newsletter = by_code.get(str(box.data["value"]))
            if newsletter is None:
                continue
            result.append(
                {
                    "box": box,
                    "newsletter": newsletter,
                    "name": localised(newsletter, "name"),
                    "description": localised(newsletter, "description"),
                    "publisher": localised(newsletter, "publisher"),
                    "frequency": localised(newsletter, "frequency"),
                }
            )
        return result


class SubscribeForm(NewsletterOptionsMixin, forms.Form):
    newsletters = NewsletterChoiceField(
        queryset=Newsletter.objects.none(), label=_("Newsletters"), required=True
    )
    email = NormalisedEmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send a confirmation link here: nothing is sent before you confirm."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(label=lazy(_consent_label, str)(), required=True)
    # Honeypot: hidden from people (CSS + aria-hidden + tabindex -1), filled by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = newsletters_open()
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["consent"].error_messages["required"] = _(
            "Please agree to the privacy notice so that we can send you mail."
        )


class EmailForm(forms.Form):
    """One address: "send the link again" and "mail me my link"."""

    email = NormalisedEmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["email"].help_text = help_text


class PreferencesForm(NewsletterOptionsMixin, forms.Form):
    newsletters = NewsletterChoiceField(
        queryset=Newsletter.objects.none(), label=_("Newsletters"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the mail"),
        choices=[("zh-hant", "正體中文"), ("en", "English")],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = choices.order_by("sort_order", "code")


class ImportForm(forms.Form):
    source = LineField(
        label=_("Source"),
        max_length=100,
        help_text=_("Where the list comes from, e.g. the old newsletter system."),
    )
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["file"].help_text = _(
            "Columns: email, newsletters (codes separated by ;), language (zh-hant or en, "
            "optional), subscribed_at (2024-05-01, optional). UTF-8 or Big5, at most %(size)s."
        ) % {"size": filesizeformat(settings.EPAPER_IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.EPAPER_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class SubscriberSearchForm(forms.Form):
    q = forms.CharField(label=_("E-mail contains"), required=False, max_length=100)
    newsletter = forms.ChoiceField(label=_("Newsletter"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active and disabled")), *SubscriberState.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletter"].choices = [("", _("All")), *self._newsletters()]

    @staticmethod
    def _newsletters():
        return [(n.code, localised(n, "name")) for n in Newsletter.objects.order_by("sort_order")]


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this address's data is erased for good."), required=True
    )
    reason = LineField(
        label=_("Request (for the audit trail)"),
        required=False,
        max_length=200,
        help_text=_("E.g. the date and channel of the person's request. No personal data."),
    )
