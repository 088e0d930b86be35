"""Staff forms. Each only parses input; the services decide. One-line texts (subject, sender,
receiver) go through ``core.text.LineField``: no bidirectional control characters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from core.models import Organization
from core.text import LineField

from . import selectors
from .choices import DocumentCategory, ReturnTarget, SecurityLevel
from .filters import DateInput
from .services import StepSpec
from .validators import ALLOWED_EXTENSIONS


def find_user(identifier: str):
    """An active user by login name or employee number, or None."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(username__iexact=identifier) | Q(employee_number=identifier))
        .first()
    )


class StepActionForm(StyledFormMixin, forms.Form):
    """The fields of a pending step's box. Its three buttons post to three URLs (approve,
    return, forward), each validated by its own subclass below."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the document."),
    )
    return_to = forms.ChoiceField(
        label=_("Return to"),
        choices=ReturnTarget.choices,
        initial=ReturnTarget.ORIGINATOR,
        required=False,
        widget=forms.RadioSelect,
    )
    forward_to = forms.CharField(
        label=_("Forward to (login name or employee number)"),
        required=False,
        max_length=150,
        help_text=_("Only when you forward the step to a colleague."),
    )


class ApproveForm(StepActionForm):
    """Approve: an optional comment."""


class ReturnForm(StepActionForm):
    """Return: a comment is required; to the originator unless the previous step is chosen."""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why you return the document."))
        if not cleaned.get("return_to"):
            cleaned["return_to"] = ReturnTarget.ORIGINATOR
        return cleaned


class ForwardForm(StepActionForm):
    """Forward: the colleague, by login name or employee number (any active user)."""

    def clean(self):
        cleaned = super().clean()
        identifier = cleaned.get("forward_to", "")
        if not identifier:
            self.add_error("forward_to", _("Enter the colleague to forward to."))
        else:
            person = find_user(identifier)
            if person is None:
                self.add_error("forward_to", _("No active user has that login name."))
            cleaned["forward_user"] = person
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DocumentRegisterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Organization.objects.none(),
        help_text=_("The unit that registers and handles the document; it gives the number."),
    )
    subject = LineField(label=_("Subject"), max_length=500)
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    security_level = forms.ChoiceField(
        label=_("Security level"), choices=SecurityLevel.choices, initial=SecurityLevel.ORDINARY
    )
    sender = LineField(label=_("Sender"), max_length=200, required=False)
    receiver = LineField(label=_("Receiver"), max_length=200, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "PDF, PNG, JPEG, GIF, ODF or Office Open XML files, up to 10 at a time; "
            "checked by their content."
        ),
    )
    signers = forms.CharField(
        label=_("Sign-off steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One line per step, in order. Several names on one line, separated by commas, "
            "countersign in parallel. A name is a login name or employee number, or a role "
            "in a unit written role@UNITCODE (the role's code or name). Leave empty to "
            "register without a sign-off."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = selectors.registrable_units(user)
        self.fields["unit"].queryset = units.order_by("sort_order", "code")
        if user.organization_id:
            self.fields["unit"].initial = user.organization_id

    def clean_signers(self) -> list[StepSpec]:
        text = self.cleaned_data.get("signers", "")
        specs, errors = [], []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for order, line in enumerate(lines, start=1):
            for token in (t.strip() for t in line.replace("，", ",").split(",")):
                if not token:
                    continue
                if "@" in token:
                    role, _sep, unit_code = token.rpartition("@")
                    unit = Organization.objects.filter(code__iexact=unit_code.strip()).first()
                    role = selectors.step_role(role)
                    if unit is None or role is None:
                        errors.append(
                            _("Line %(line)d: no role “%(token)s”.")
                            % {"line": order, "token": token}
                        )
                        continue
                    specs.append(StepSpec(order=order, unit=unit, role=role))
                else:
                    person = find_user(token)
                    if person is None:
                        errors.append(
                            _("Line %(line)d: no active user “%(token)s”.")
                            % {"line": order, "token": token}
                        )
                        continue
                    specs.append(StepSpec(order=order, user=person))
        if errors:
            raise forms.ValidationError(errors)
        return specs


class DelegationForm(StyledFormMixin, forms.Form):
    delegate = forms.CharField(
        label=_("Delegate (login name or employee number)"),
        max_length=150,
        help_text=_("The colleague who may sign for you while you are away."),
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, initial=_("Leave"))

    def clean_delegate(self):
        person = find_user(self.cleaned_data["delegate"])
        if person is None:
            raise forms.ValidationError(_("No active user has that login name."))
        return person


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
