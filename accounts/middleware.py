"""Middleware of the accounts app (added to MIDDLEWARE in the "accounts: MFA" settings block).

* ``SessionLimitsMiddleware``: signs a session out after ``SESSION_IDLE_TIMEOUT`` seconds
  without a request and after ``SESSION_COOKIE_AGE`` seconds from the login whatever the
  cookie says (the server-side half of the absolute lifetime); keeps ``last_seen`` of the
  "my sessions" record, written at most once a minute.
* ``LoginStepsMiddleware``: a signed-in session that still owes a step cannot reach anything
  else: the second factor (a session that got in without it, e.g. a role became sensitive
  mid-session or a device was reset) is sent back through the verification step, and an
  expired password is sent to the change page.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction
from core.services import audit_record

from .choices import method_for_backend
from .mfa.constants import (
    MFA_RECHECK_SECONDS,
    SEEN_WRITE_INTERVAL,
    SESSION_LOGIN_AT,
    SESSION_MFA_CHECKED_AT,
    SESSION_PASSWORD_EXPIRED,
    SESSION_SEEN_AT,
)
from .mfa.flow import login_continue
from .mfa.selectors import mfa_needed
from .mfa.services import session_record_seen

# Reachable while a step is owed (and never subject to the steps).
STEP_EXEMPT_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/static/", "/i18n/")
STEP_EXEMPT_PATHS = ("/healthz", "/favicon.ico", "/robots.txt")


def _exempt(path: str) -> bool:
    return path in STEP_EXEMPT_PATHS or path.startswith(STEP_EXEMPT_PREFIXES)


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        login_at = session.get(SESSION_LOGIN_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        if login_at is None:  # a session from before these clocks: start them
            session[SESSION_LOGIN_AT] = login_at = now
        if now - login_at > settings.SESSION_COOKIE_AGE:
            self._expire(request, user, "absolute")
            return
        if seen_at is not None and now - seen_at > settings.SESSION_IDLE_TIMEOUT:
            self._expire(request, user, "idle")
            return
        if seen_at is None:  # a session from before these clocks: start them
            session[SESSION_SEEN_AT] = now
        elif now - seen_at >= SEEN_WRITE_INTERVAL:
            session[SESSION_SEEN_AT] = now
            if session.session_key:
                session_record_seen(session_key=session.session_key, now=timezone.now())

    def _expire(self, request, user, reason: str):
        audit_record(
            action=AuditAction.LOGOUT,
            obj=user,
            actor=user,
            message=f"session expired ({reason})",
        )
        logout(request)  # ends the "my sessions" record through user_logged_out
        if reason == "idle":
            minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
            text = _(
                "You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again."
            ) % {"minutes": minutes}
        else:
            text = _("Your session reached its maximum length. Please sign in again.")
        messages.info(request, text)


class LoginStepsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request.path_info):
            response = self._owed_step(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _owed_step(self, request, user):
        if not self._second_factor_ok(request, user):
            return self._step_up(request, user)
        target = request.session.get(SESSION_PASSWORD_EXPIRED)
        if target and request.path_info != reverse("accounts:password_change"):
            if request.path_info.startswith("/api/"):
                return _api_refusal(_("Your password has expired. Change it first."))
            return redirect("accounts:password_change")
        return None

    def _second_factor_ok(self, request, user) -> bool:
        if getattr(user, "is_verified", None) and user.is_verified():
            return True
        checked = request.session.get(SESSION_MFA_CHECKED_AT)
        now = int(time.time())
        if checked is not None and now - checked < MFA_RECHECK_SECONDS:
            return True
        if mfa_needed(user):
            return False
        request.session[SESSION_MFA_CHECKED_AT] = now
        return True

    def _step_up(self, request, user):
        """Turn the session back into a pending login that must pass the second factor."""
        backend = request.session.get(BACKEND_SESSION_KEY, settings.AUTHENTICATION_BACKENDS[1])
        is_api = request.path_info.startswith("/api/")
        next_url = "" if is_api else request.get_full_path()
        audit_record(
            action=AuditAction.OTHER,
            obj=user,
            actor=user,
            message="session sent back to the second-factor step",
        )
        logout(request)
        url = login_continue(
            request,
            user=user,
            backend=backend,
            method=method_for_backend(backend),
            next_url=next_url,
        )
        if is_api:
            return _api_refusal(_("Two-step verification is required. Sign in again."))
        return redirect(url)


def _api_refusal(message) -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "status": 403,
                "code": "login_step_required",
                "message": str(message),
                "fields": {},
            }
        },
        status=403,
    )
