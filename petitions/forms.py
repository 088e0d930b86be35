"""Forms of the citizen mailbox. Thin: they parse input; services decide.

Staff action forms (one per action, each posted to its own URL) take the case and the user;
every id they accept is checked against the queryset of the selector that built the page
(``selectors.staff``), and they carry the case's ``version`` so a double submit changes
nothing (``services.cases``)."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import County
from core.text import LineField, NormalisedEmailField, PhoneField

from .constants import MAX_PUBLIC_ATTACHMENTS
from .models import Category, Petition, ReplyTemplate
from .selectors.staff import assignable_handlers, attach_targets, merge_targets, reply_signers
from .services.cases import extension_days_error, petition_version


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
    name = LineField(label=_("Name"), max_length=100)
    email = NormalisedEmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send a confirmation link here; your petition counts once you confirm it."),
    )
    phone = PhoneField(label=_("Phone (optional)"), max_length=30, required=False)
    subject = LineField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), empty_label=_("Choose…")
    )
    county = forms.ModelChoiceField(
        label=_("County or city"), queryset=County.objects.all(), empty_label=_("Choose…")
    )
    body = forms.CharField(
        label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10})
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"))
    consent = forms.BooleanField(label=lazy(_consent_label, str)(), required=True)
    # Honeypot: hidden from people (CSS + aria-hidden + tabindex -1), filled by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    # One-time token of this form (a new one for every blank form; kept when the form comes
    # back with errors): the same form sent twice makes one case (services.cases).
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

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
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        self.fields["consent"].error_messages["required"] = _(
            "Please agree to the privacy notice so that we can handle your petition."
        )
        self.fields["attachments"].widget.attrs["accept"] = ".png,.jpg,.jpeg,.gif,.pdf"
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files: PNG, JPEG or GIF images or PDF, each at most %(size)s."
        ) % {
            "count": MAX_PUBLIC_ATTACHMENTS,
            "size": filesizeformat(settings.PETITIONS_MAX_ATTACHMENT_BYTES),
        }

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
    email = forms.EmailField(
        label=_("E-mail address (if asked)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Only needed after several wrong attempts for this case: the address you sent "
            "the petition from."
        ),
    )


class ConfirmationResendForm(forms.Form):
    email = NormalisedEmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The address you typed in the form."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class QueryCodeResendForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=20, help_text=_("For example 115-000123.")
    )
    email = NormalisedEmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The address you sent the petition from: the new code goes there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
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


# --- Staff actions -------------------------------------------------------------------------------


class CaseNumberField(forms.ModelChoiceField):
    """A case typed by its number, accepted only from the given queryset."""

    widget = forms.TextInput

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("There is no case with this number that you may choose.")},
        )
        super().__init__(queryset, to_field_name="case_number", **kwargs)

    def to_python(self, value):
        return super().to_python((value or "").strip())


class CaseActionForm(forms.Form):
    """Base of the case page's action forms: bound to one case and one user, with the case's
    version (hidden) and a prefix of its own so several forms share the page."""

    action = ""  # the URL name suffix and the form prefix
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, petition: Petition, user, **kwargs):
        self.petition = petition
        self.user = user
        kwargs.setdefault("prefix", self.action)
        kwargs.setdefault("initial", {}).setdefault("version", petition_version(petition))
        super().__init__(*args, **kwargs)

    def clean_version(self) -> str | None:
        """The version the page was built from; None when the client sent none (then the
        service does not compare)."""
        return self.cleaned_data.get("version") or None


class AssignForm(CaseActionForm):
    action = "assign"
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = assignable_handlers(self.petition)
        self.fields["handler"].error_messages["invalid_choice"] = _(
            "Choose a person who handles petitions of the case's unit."
        )


class NoteForm(CaseActionForm):
    action = "note"
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(CaseActionForm):
    """The bound (``PETITIONS_MAX_EXTENSION_WORKING_DAYS``) is the service's; the form shows
    it in the help text and refuses a larger number with the same message."""

    action = "extend"
    working_days = forms.IntegerField(label=_("Working days"))
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.PETITIONS_MAX_EXTENSION_WORKING_DAYS
        field = self.fields["working_days"]
        field.widget.attrs.update({"min": 1, "max": limit})
        field.help_text = _("From 1 to %(max)d working days.") % {"max": limit}

    def clean_working_days(self):
        days = self.cleaned_data["working_days"]
        error = extension_days_error(days)
        if error is not None:
            raise error
        return days


class ReplyForm(CaseActionForm):
    action = "reply"
    template = forms.ModelChoiceField(
        label=_("Reply template"), queryset=None, required=False, empty_label="-"
    )
    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    signers = forms.ModelMultipleChoiceField(
        label=_("Further signers, in order (optional)"),
        queryset=None,
        required=False,
        help_text=_(
            "They sign off one after the other, in the order listed, before the reply's "
            "sign-off route (by default the head of the case's unit). You cannot sign off "
            "your own reply."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = ReplyTemplate.objects.filter(active=True)
        if self.petition.category_id:
            templates = templates.filter(
                Q(category_id=self.petition.category_id) | Q(category__isnull=True)
            )
        self.fields["template"].queryset = templates
        self.fields["signers"].queryset = reply_signers(self.petition, author=self.user)

    def clean_signers(self):
        """The chosen people in the order they were posted."""
        chosen = {str(u.pk): u for u in self.cleaned_data["signers"] or []}
        order = self.data.getlist(self.add_prefix("signers")) if self.is_bound else []
        return [chosen[pk] for pk in dict.fromkeys(order) if pk in chosen]

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip():
            template = data.get("template")
            if template is None:
                self.add_error("text", _("Write the reply or choose a reply template."))
            else:
                data["text"] = template.body
        return data


class RejectForm(CaseActionForm):
    action = "reject"
    reason = forms.CharField(label=_("Reason for rejection"), max_length=2000)


class MergeForm(CaseActionForm):
    action = "merge"
    into = CaseNumberField(label=_("Merge into case number"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = merge_targets(user=self.user, petition=self.petition)


#: The case page's forms, in the order the page shows them.
CASE_ACTION_FORMS = [NoteForm, AssignForm, ReplyForm, ExtendForm, MergeForm, RejectForm]


class InboundAssignForm(forms.Form):
    """Attach a queued message to a case the user may read (by case number)."""

    case = CaseNumberField(label=_("Attach to case number"), queryset=None)

    def __init__(self, *args, inbound, user, **kwargs):
        kwargs.setdefault("prefix", f"m{inbound.pk}")
        super().__init__(*args, **kwargs)
        self.inbound = inbound
        self.fields["case"].queryset = attach_targets(user=user)
