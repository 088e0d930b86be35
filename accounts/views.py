"""Staff-facing pages of the accounts app: login and its steps (second factor, enrolment,
certificate), account security (2FA, backup codes, password, certificates), the launcher and
"my sessions". Views are thin: the rules live in ``accounts.mfa`` and ``accounts.selectors``.
"""

from __future__ import annotations

import math
from base64 import b32encode

import segno
from axes.conf import settings as axes_settings
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.forms import add_service_errors

from .choices import LoginMethod, method_for_backend
from .forms import CodeForm, EnrolForm, LoginForm, MoveForm, PasswordChangeForm, QuickLinkForm
from .launcher import (
    launcher_usage_record,
    quick_link_add,
    quick_link_move,
    quick_link_remove,
    url_is_web,
)
from .mfa import certificates as certs
from .mfa import flow
from .mfa.constants import SESSION_NEW_BACKUP_CODES, SESSION_PASSWORD_EXPIRED
from .mfa.selectors import (
    backup_codes_remaining,
    mfa_enrolled,
    mfa_required,
    password_expires_at,
    user_active_sessions,
    user_tokens_by_application,
)
from .mfa.services import (
    backup_codes_generate,
    mfa_code_kind,
    mfa_reset,
    mfa_throttle_wait,
    mfa_verify,
    password_change_audit,
    session_record_rekey,
    totp_device_confirm,
    totp_device_start,
    user_application_sign_out,
    user_other_sessions_end,
)
from .models import Application, User, UserSession
from .oidc.authn import reauthentication_requested
from .selectors import launcher_applications, quick_links_for
from .services import user_session_end, user_sign_out_everywhere

ENROL_SESSION_DEVICE = "mol_enrol_device"


# --- Login --------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Password (local or directory) login. The second factor, when needed, is a next step:
    see ``accounts.mfa.flow``."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    @property
    def redirect_authenticated_user(self):
        """A signed-in person is sent on, unless the single sign-on asked them to sign in
        again (``prompt=login``, ``max_age``; see ``accounts.oidc.authn``)."""
        return not reauthentication_requested(self.get_redirect_url())

    def form_valid(self, form):
        user = form.get_user()
        backend = getattr(user, "backend", "") or settings.AUTHENTICATION_BACKENDS[1]
        url = flow.login_continue(
            self.request,
            user=user,
            backend=backend,
            method=method_for_backend(backend),
            next_url=self.get_success_url(),
        )
        return HttpResponseRedirect(url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificate_login"] = certs.certificate_login_enabled()
        return context


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the lockout page with when to try
    again. Status 429 (AXES_HTTP_RESPONSE_CODE)."""
    cool_off = get_cool_off(request)
    retry_at = getattr(request, "login_retry_at", None)  # the account's delay (accounts.lockout)
    if retry_at is not None:
        cool_off = retry_at - timezone.now()
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "retry_at": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )


def _restart_login(request, message):
    flow.pending_clear(request)
    messages.info(request, message)
    return redirect("accounts:login")


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """Second step of a login: a code from the authenticator app or a backup code."""
    user = flow.pending_user(request)
    if user is None:
        return _restart_login(
            request, _("Your sign-in has expired or was not started. Please sign in again.")
        )
    if not mfa_enrolled(user):  # the device was reset meanwhile
        if mfa_required(user):
            return redirect("accounts:login_enrol")
        return redirect(flow.pending_complete(request, user=user, device=None))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        wait = mfa_throttle_wait(user=user) if mfa_code_kind(code) == "totp" else 0
        if wait:
            form.add_error(
                "code",
                _("Too many wrong codes in a row. Wait %(seconds)d seconds and try again.")
                % {"seconds": wait},
            )
            status = 429
        else:
            device = mfa_verify(user=user, code=code)
            if device is not None:
                return redirect(flow.pending_complete(request, user=user, device=device))
            fails = (flow.pending_state(request) or {}).get("fails", 0) + 1
            if fails >= settings.MFA_MAX_ATTEMPTS:
                return _restart_login(request, _("Too many wrong codes. Please sign in again."))
            flow.pending_update(request, fails=fails)
            form.add_error("code", _("That code is not right. Check it and try again."))
            status = 400
    return render(
        request,
        "accounts/login_verify.html",
        {"form": form, "person": user.display_name},
        status=status,
    )


def _enrolment_context(device: TOTPDevice, form) -> dict:
    uri = device.config_url
    secret = b32encode(device.bin_key).decode("ascii")
    return {
        "form": form,
        "qr_data_uri": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "issuer": settings.OTP_TOTP_ISSUER,
    }


def _enrol_device(user: User, device_id) -> TOTPDevice:
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    return device or totp_device_start(user=user)


def _show_new_codes(request, codes: list[str], next_url: str):
    request.session[SESSION_NEW_BACKUP_CODES] = {"codes": codes, "next": next_url}
    return redirect("accounts:backup_codes")


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """The policy requires a second factor this user has not set up: set it up now, as part of
    the login. Nothing else is reachable before it is done."""
    user = flow.pending_user(request)
    if user is None:
        return _restart_login(
            request, _("Your sign-in has expired or was not started. Please sign in again.")
        )
    if mfa_enrolled(user):
        return redirect("accounts:login_verify")
    state = flow.pending_state(request) or {}
    device = _enrol_device(user, state.get("device"))
    flow.pending_update(request, device=device.pk)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            target = flow.pending_complete(request, user=user, device=device)
            return _show_new_codes(request, codes, target)
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
        status = 400
    context = _enrolment_context(device, form)
    context["during_login"] = True
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_certificate(request):
    """Login with the client certificate the reverse proxy verified and passed on."""
    if not certs.certificate_login_enabled():
        raise Http404
    presented = certs.presented_certificate(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context = {"certificate": presented, "next": next_url, "error": ""}
    if request.method == "POST":
        if presented is None:
            context["error"] = _(
                "No certificate reached the portal. Insert your card, choose the certificate "
                "when the browser asks, and try again."
            )
            return render(request, "accounts/login_certificate.html", context, status=400)
        user = authenticate(request, client_certificate=presented)
        if user is None:
            context["error"] = _(
                "This certificate is not registered to an active account, or it has expired. "
                "Sign in with your password and register it under Sign-in and security."
            )
            return render(request, "accounts/login_certificate.html", context, status=403)
        url = flow.login_continue(
            request,
            user=user,
            backend=user.backend,
            method=LoginMethod.CERTIFICATE,
            next_url=flow.safe_next(request, next_url),
        )
        return redirect(url)
    return render(request, "accounts/login_certificate.html", context)


# --- Account security -----------------------------------------------------------------------


def _disable_form() -> CodeForm:
    form = CodeForm(auto_id="disable_%s")
    form.fields["code"].widget.attrs.pop("autofocus", None)
    return form


@never_cache
@require_http_methods(["GET"])
def security(request):
    user = request.user
    context = {
        "enrolled": mfa_enrolled(user),
        "required": mfa_required(user),
        "backup_left": backup_codes_remaining(user),
        "has_password": user.has_usable_password(),
        "password_changed_at": user.password_changed_at,
        "password_expires_at": password_expires_at(user),
        "certificate_login": certs.certificate_login_enabled(),
        "certificate_count": certs.user_certificates(user).filter(is_active=True).count(),
        "session_count": user_active_sessions(user).count(),
        "disable_form": _disable_form(),
    }
    return render(request, "accounts/security.html", context)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Set up (or replace) the authenticator app while signed in."""
    user = request.user
    device = _enrol_device(user, request.session.get(ENROL_SESSION_DEVICE))
    request.session[ENROL_SESSION_DEVICE] = device.pk
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(ENROL_SESSION_DEVICE, None)
            device.refresh_from_db()
            otp_login(request, device)
            return _show_new_codes(request, codes, reverse("accounts:security"))
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
        status = 400
    context = _enrolment_context(device, form)
    context["during_login"] = False
    context["replacing"] = mfa_enrolled(user)
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New codes are shown once (right after they are made); otherwise how many are left and a
    button to make a new set (which voids the old one)."""
    user = request.user
    if request.method == "POST":
        if not mfa_enrolled(user):
            return redirect("accounts:two_factor_enrol")
        codes = backup_codes_generate(user=user)
        return _show_new_codes(request, codes, reverse("accounts:security"))
    fresh = request.session.pop(SESSION_NEW_BACKUP_CODES, None)
    context = {
        "codes": fresh["codes"] if fresh else None,
        "next": flow.safe_next(request, fresh["next"]) if fresh else "",
        "left": backup_codes_remaining(user),
        "enrolled": mfa_enrolled(user),
    }
    return render(request, "accounts/backup_codes.html", context)


@never_cache
@sensitive_post_parameters("code")
@require_POST
def two_factor_disable(request):
    """Turn two-step verification off: only when the policy does not require it, and only with
    a valid code."""
    user = request.user
    if mfa_required(user):
        messages.error(request, _("Two-step verification is required for your account."))
        return redirect("accounts:security")
    form = CodeForm(request.POST)
    if form.is_valid() and mfa_verify(user=user, code=form.cleaned_data["code"]) is not None:
        mfa_reset(user=user, by=user, reason="turned off by the user")
        messages.success(request, _("Two-step verification is off."))
    else:
        messages.error(request, _("That code is not right. Two-step verification stays on."))
    return redirect("accounts:security")


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the local password. The validators (length, common, history) come from
    AUTH_PASSWORD_VALIDATORS; the history and ``password_changed_at`` are written when the
    password is saved. The user's other sessions are signed out."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.has_usable_password():
            messages.info(
                request,
                _("Your account has no local password: change it in your agency's directory."),
            )
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = bool(self.request.session.get(SESSION_PASSWORD_EXPIRED))
        return context

    def form_valid(self, form):
        request = self.request
        old_key = request.session.session_key
        user = form.save()
        update_session_auth_hash(request, user)
        new_key = request.session.session_key
        session_record_rekey(old_key=old_key, new_key=new_key)
        user_other_sessions_end(user=user, current_key=new_key, by=user, reason="password changed")
        password_change_audit(user=user)
        target = request.session.pop(SESSION_PASSWORD_EXPIRED, None)
        messages.success(request, _("Your password was changed."))
        return redirect(flow.safe_next(request, target) if target else "accounts:security")


# --- Launcher -------------------------------------------------------------------------------


def _launcher_page(request, form=None, status=200):
    context = {
        "applications": launcher_applications(request.user),
        "links": quick_links_for(request.user),
        "form": form or QuickLinkForm(),
    }
    return render(request, "accounts/launcher.html", context, status=status)


@require_http_methods(["GET"])
def launcher(request):
    return _launcher_page(request)


@require_http_methods(["GET"])
def launcher_open(request, pk: int):
    """Count the opening, then go to the application."""
    application = get_object_or_404(launcher_applications(request.user), pk=pk)
    if not url_is_web(application.launch_url):
        raise Http404
    launcher_usage_record(user=request.user, application=application)
    return HttpResponseRedirect(application.launch_url)


@require_POST
def quick_link_create(request):
    form = QuickLinkForm(request.POST)
    if form.is_valid():
        try:
            quick_link_add(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The link was added."))
            return redirect("accounts:launcher")
    return _launcher_page(request, form=form, status=400)


@require_POST
def quick_link_delete(request, pk: int):
    if not quick_link_remove(user=request.user, link_id=pk):
        raise Http404
    messages.success(request, _("The link was removed."))
    return redirect("accounts:launcher")


@require_POST
def quick_link_reorder(request, pk: int):
    form = MoveForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:launcher")
    if not request.user.quick_links.filter(pk=pk).exists():
        raise Http404
    quick_link_move(user=request.user, link_id=pk, direction=form.cleaned_data["direction"])
    return redirect("accounts:launcher")


# --- Sessions -------------------------------------------------------------------------------


def _subject(request, user_id: int | None) -> User:
    """Whose sessions: one's own, or (administrators) anyone's."""
    if user_id is None or user_id == request.user.pk:
        return request.user
    if not (request.user.is_staff and request.user.has_perm("accounts.change_user")):
        raise PermissionDenied
    return get_object_or_404(User, pk=user_id)


def _sessions_url(request, subject: User) -> str:
    if subject.pk == request.user.pk:
        return reverse("accounts:sessions")
    return reverse("accounts:user_sessions", args=[subject.pk])


@never_cache
@require_http_methods(["GET"])
def sessions(request, user_id: int | None = None):
    subject = _subject(request, user_id)
    context = {
        "subject": subject,
        "is_self": subject.pk == request.user.pk,
        "sessions": user_active_sessions(subject),
        "tokens": user_tokens_by_application(subject),
        "current_key": request.session.session_key,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
    }
    return render(request, "accounts/sessions.html", context)


@require_POST
def session_end(request, pk: int, user_id: int | None = None):
    subject = _subject(request, user_id)
    record = get_object_or_404(UserSession, pk=pk, user=subject, ended_at__isnull=True)
    own_current = record.session_key == request.session.session_key
    user_session_end(user=subject, session_key=record.session_key, by=request.user)
    if own_current:
        return redirect("accounts:login")
    messages.success(request, _("That session was signed out."))
    return redirect(_sessions_url(request, subject))


@require_POST
def sessions_end_all(request, user_id: int | None = None):
    """``scope=others``: every other session of one's own; otherwise everywhere: every session
    and every token (the applications are told through back-channel logout)."""
    subject = _subject(request, user_id)
    is_self = subject.pk == request.user.pk
    if is_self and request.POST.get("scope") == "others":
        count = user_other_sessions_end(
            user=subject, current_key=request.session.session_key, by=request.user
        )
        messages.success(
            request,
            ngettext(
                "Signed out of %(count)d other session.",
                "Signed out of %(count)d other sessions.",
                count,
            )
            % {"count": count},
        )
        return redirect("accounts:sessions")
    result = user_sign_out_everywhere(user=subject, by=request.user)
    if is_self:
        return redirect("accounts:login")
    messages.success(
        request,
        _("%(name)s was signed out of %(sessions)d sessions and %(tokens)d tokens.")
        % {"name": subject.display_name, **result},
    )
    return redirect(_sessions_url(request, subject))


@require_POST
def tokens_revoke(request, application_id: int, user_id: int | None = None):
    subject = _subject(request, user_id)
    application = get_object_or_404(Application, pk=application_id)
    count = user_application_sign_out(user=subject, application=application, by=request.user)
    if not count:
        raise Http404
    messages.success(
        request,
        _("Signed out of %(application)s.") % {"application": application.name},
    )
    return redirect(_sessions_url(request, subject))


# --- Certificates ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def certificates(request):
    """The user's registered certificates; register the one presented now, or remove one."""
    if not certs.certificate_login_enabled():
        raise Http404
    presented = certs.presented_certificate(request)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            try:
                certificate_id = int(request.POST.get("certificate", ""))
            except ValueError as exc:
                raise Http404 from exc
            if not certs.client_certificate_remove(
                user=request.user, certificate_id=certificate_id
            ):
                raise Http404
            messages.success(request, _("The certificate was removed."))
        elif presented is None:
            messages.error(
                request,
                _("No certificate reached the portal. Insert your card and reload the page."),
            )
        else:
            try:
                certs.client_certificate_register(user=request.user, cert=presented)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("The certificate was registered. You can now sign in with it.")
                )
        return redirect("accounts:certificates")
    registered = certs.user_certificates(request.user)
    context = {
        "presented": presented,
        "presented_registered": bool(
            presented
            and registered.filter(fingerprint_sha256=presented.fingerprint_sha256).exists()
        ),
        "registered": registered,
    }
    return render(request, "accounts/certificates.html", context)
