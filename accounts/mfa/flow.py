"""The login steps, kept in the session between the first factor and the second.

A password, directory (LDAP) or certificate login does **not** sign the user in when a second
factor is needed: the session only holds a *pending* login (user id, backend, method, where to
go next, time) and the browser goes to the verification step, or to enrolment when the policy
requires a second factor the user has not set up yet. Only a good code completes the login
(``django.contrib.auth.login`` + ``django_otp.login``). Until then the request is anonymous
everywhere: intranet, admin, API, OpenID Connect.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import login as auth_login
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from ..choices import LoginMethod, method_for_backend
from ..models import User
from ..services import session_record_login
from .constants import (
    SESSION_LOGIN_AT,
    SESSION_MFA_CHECKED_AT,
    SESSION_PASSWORD_EXPIRED,
    SESSION_PENDING,
    SESSION_SEEN_AT,
)
from .selectors import mfa_enrolled, mfa_needed, mfa_required, password_expired


def safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def login_continue(request, *, user: User, backend: str, method: str, next_url: str) -> str:
    """After the first factor: where the browser goes now. Either the login completes here, or
    a pending login is stored and the answer is the verification (or enrolment) step."""
    if mfa_enrolled(user):
        pending_start(request, user=user, backend=backend, method=method, next_url=next_url)
        return reverse("accounts:login_verify")
    if mfa_required(user):
        pending_start(request, user=user, backend=backend, method=method, next_url=next_url)
        return reverse("accounts:login_enrol")
    return login_complete(request, user=user, backend=backend, method=method, next_url=next_url)


def pending_start(request, *, user: User, backend: str, method: str, next_url: str) -> None:
    request.session.cycle_key()
    request.session[SESSION_PENDING] = {
        "uid": user.pk,
        "backend": backend,
        "method": method,
        "next": next_url,
        "at": int(time.time()),
        "fails": 0,
        "device": None,
    }


def pending_state(request) -> dict | None:
    """The pending login, or None when there is none or it is too old."""
    state = request.session.get(SESSION_PENDING)
    if not state:
        return None
    if time.time() - state.get("at", 0) > settings.MFA_PENDING_SECONDS:
        pending_clear(request)
        return None
    return state


def pending_user(request) -> User | None:
    state = pending_state(request)
    if state is None:
        return None
    user = User.objects.filter(pk=state["uid"], is_active=True).first()
    if user is None:
        pending_clear(request)
    return user


def pending_update(request, **changes) -> None:
    state = dict(request.session.get(SESSION_PENDING) or {})
    state.update(changes)
    request.session[SESSION_PENDING] = state


def pending_clear(request) -> None:
    request.session.pop(SESSION_PENDING, None)


def pending_complete(request, *, user: User, device) -> str:
    state = pending_state(request) or {}
    pending_clear(request)
    return login_complete(
        request,
        user=user,
        backend=state.get("backend") or settings.AUTHENTICATION_BACKENDS[1],
        method=state.get("method") or LoginMethod.PASSWORD,
        next_url=state.get("next") or "",
        device=device,
    )


def login_complete(
    request, *, user: User, backend: str, method: str, next_url: str, device=None
) -> str:
    """Sign the user in (and mark the second factor verified); ``session_started`` runs through
    ``user_logged_in``. Returns where to go next."""
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    target = safe_next(request, next_url)
    if method == LoginMethod.PASSWORD and password_expired(user):
        # Remember where the user was going: the change page sends them there afterwards.
        request.session[SESSION_PASSWORD_EXPIRED] = target
        return reverse("accounts:password_change")
    return target


def session_started(request, user: User) -> None:
    """Every login, whatever its path (this flow, another part's view, a test's force_login):
    start the idle and absolute clocks, note whether the second-factor policy applies, and
    record the session for "my sessions" with the method its backend stands for."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SESSION_LOGIN_AT] = now
    session[SESSION_SEEN_AT] = now
    if mfa_needed(user):
        session.pop(SESSION_MFA_CHECKED_AT, None)
    else:
        session[SESSION_MFA_CHECKED_AT] = now
    backend = session.get(BACKEND_SESSION_KEY, "")
    session_record_login(request=request, user=user, method=method_for_backend(backend))
