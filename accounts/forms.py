from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .ldap.backends import login_error
from .ldap.selectors import directory_choices as ldap_directory_choices


def directory_choices() -> list[tuple[str, str]]:
    """The LDAP/AD directories a login can go to (empty when none is configured)."""
    return [(str(key), str(label)) for key, label in ldap_directory_choices()]


class LoginForm(AuthenticationForm):
    """User name and password. When directories are configured, a picker chooses where the
    login goes: the ``directory`` credential goes to the LDAP part's backend, and a plain
    ``name`` is tried as ``name@key`` so that a local account of the same short name cannot
    answer for it. The empty choice is the local account."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        choices = directory_choices()
        if choices:
            self.fields["directory"] = forms.ChoiceField(
                label=_("Sign in with"),
                required=False,
                choices=[("", _("Local account"))] + choices,
                widget=forms.Select(attrs={"class": "form-select"}),
                help_text=_("Your agency's directory, or a local account."),
            )
            self.order_fields(["directory", "username", "password"])

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        directory = self.cleaned_data.get("directory") or ""
        if username is not None and password:
            credentials = {"username": username, "password": password}
            if directory:
                credentials["directory"] = directory
                if "@" not in username and "\\" not in username:
                    # Never a local account with the same short name: only the directory.
                    credentials["username"] = f"{username}@{directory}"
            self.user_cache = authenticate(self.request, **credentials)
            if self.user_cache is None:
                message = _directory_error(self.request)
                if message:
                    raise ValidationError(message, code="directory")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def _directory_error(request) -> str | None:
    """The LDAP part's message when a directory could not be used for this login."""
    return login_error(request) if request is not None else None


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a backup code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Enter the verification code.")},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("After adding the account, type the 6-digit code the app shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Enter the 6-digit code from the app.")},
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form; the policy (length, history, ...) comes from AUTH_PASSWORD_VALIDATORS."""


class QuickLinkForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        error_messages={"required": _("Enter a title for the link.")},
    )
    url = forms.URLField(
        label=_("Web address"),
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "required": _("Enter the web address of the link."),
            "invalid": _("Enter a web address starting with http:// or https://."),
        },
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("up", _("Up")), ("down", _("Down"))]
    )
