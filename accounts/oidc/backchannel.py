"""OpenID Connect Back-Channel Logout 1.0 (django-oauth-toolkit has none; this is ours).

When a person's portal session ends (log out, RP-initiated logout, "sign out everywhere", an
administrator ending their sessions), every application that (a) registered a back-channel
logout URL and (b) received an ID token for that person since their last logout gets a signed
*logout token* POSTed to that URL (``application/x-www-form-urlencoded``, field
``logout_token``).

The logout token is a JWT signed like our ID tokens (RS256, ``kid`` of the signing key,
``typ: logout+jwt``) with ``iss``, ``aud`` (the client id), ``iat``, ``exp`` (2 minutes),
``jti``, ``sub`` (the same opaque subject as in the ID token) and
``events: {"http://schemas.openid.net/event/backchannel-logout": {}}``; never a ``nonce``.

Two kinds of logout:

* one browser session ends (log out, RP-initiated logout, a session ended from "my
  sessions", "sign out other sessions"): the applications signed in *from that session*
  (``accounts.oidc.authn``, kept in the session) get a token with ``sub`` and that session's
  ``sid`` (the same ``sid`` as in their ID tokens): they end that session only;
* the person is signed out everywhere (``notify_user_logout``: "sign out everywhere", an
  administrator, HR deactivation): every application they are signed in to gets a token with
  ``sub`` and no ``sid``: all of that person's sessions end.

The ``sid`` of a delivery is kept in the cache with the delivery's ``jti`` for as long as its
retries can run; should the cache lose it, the retry sends ``sub`` alone (the application ends
all of the person's sessions: more, never less, than asked).

Each delivery is a row (``BackchannelLogoutDelivery``) and a Celery task that POSTs it with a
timeout, retrying with exponential backoff on network errors and non-2xx answers; the row keeps
the attempts, the last HTTP status or error, and the outcome. A beat job re-queues deliveries
whose retry time has come (in case a worker died holding one).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from importlib import import_module

import requests
from celery import current_app
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from jwcrypto import jwt

from core.choices import AuditAction

from ..models import ApplicationSignIn, BackchannelLogoutDelivery, User, UserSession
from . import metrics
from .authn import session_oidc_state
from .choices import DeliveryStatus, LogoutReason
from .constants import (
    BACKCHANNEL_LOGOUT_EVENT,
    LOGOUT_TOKEN_LIFETIME_SECONDS,
    LOGOUT_TOKEN_TYPE,
    TASK_DELIVER_BACKCHANNEL_LOGOUT,
)
from .selectors import subject_for_user
from .services import audit_oidc_event
from .validators import signing_key

logger = logging.getLogger("accounts.oidc.backchannel")

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
# Long enough for every retry of a delivery (OIDC_BACKCHANNEL_ATTEMPTS at most 6 h apart).
SID_KEEP_SECONDS = 7 * 24 * 3600


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: 30 s, 60 s, 2 min...
    capped at 6 h."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def notify_user_logout(*, user_id: int, reason: str = LogoutReason.EVERYWHERE) -> list[int]:
    """Queue a logout token for every application ``user_id`` is signed in to that has a
    back-channel logout URL, and mark all their application sign-ins as ended. Safe to call
    twice: the second call finds nothing signed in. Returns the delivery ids."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return []
    now = timezone.now()
    with transaction.atomic():
        sign_ins = list(
            ApplicationSignIn.objects.select_for_update()
            .filter(user=user, signed_out_at__isnull=True)
            .select_related("application")
            .order_by("pk")
        )
        if not sign_ins:
            return []
        ended = ApplicationSignIn.objects.filter(
            pk__in=[s.pk for s in sign_ins], signed_out_at__isnull=True
        ).update(signed_out_at=now)
        if not ended:
            return []
        subject = subject_for_user(user)
        deliveries = [
            BackchannelLogoutDelivery.objects.create(
                application=sign_in.application,
                user=user,
                subject=subject,
                reason=reason,
                uri=sign_in.application.backchannel_logout_uri,
                issuer=sign_in.issuer or settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT", ""),
                next_attempt_at=now,
            )
            for sign_in in sign_ins
            if sign_in.application.backchannel_logout_uri
        ]
        ids = [d.pk for d in deliveries]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _sid_key(jti) -> str:
    return f"oidc:bcl-sid:{jti}"


def delivery_sid(delivery: BackchannelLogoutDelivery) -> str:
    """The ``sid`` a delivery's logout token names ('' for a person-wide logout)."""
    return cache.get(_sid_key(delivery.jti)) or ""


def _session_data(store_class, session_key: str) -> dict:
    try:
        return store_class(session_key).load()
    except Exception:  # noqa: BLE001 - a session that cannot be read has nothing to tell
        logger.warning("session %s could not be read for back-channel logout", session_key[:6])
        return {}


def notify_sessions_end(
    *,
    user_id: int,
    sessions: dict[str, dict],
    reason: str = LogoutReason.LOGOUT,
    store_class: type[SessionBase] | None = None,
) -> list[int]:
    """Browser sessions of ``user_id`` are ending (``sessions``: session key -> its data,
    read before it is deleted): queue a logout token with the session's ``sid`` for every
    application signed in from each of them. An application's sign-in is marked ended only
    when no other live session of the person signed in to it. Sessions without single
    sign-on records tell nobody. Returns the delivery ids."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not sessions:
        return []
    if store_class is None:
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ending = {key: session_oidc_state(data) for key, data in sessions.items()}
    ending = {key: (sid, apps) for key, (sid, apps) in ending.items() if sid and apps}
    if not ending:
        return []
    others = UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(
        session_key__in=list(sessions)
    )
    still_signed_in: set[str] = set()
    for key in others.values_list("session_key", flat=True):
        still_signed_in.update(session_oidc_state(_session_data(store_class, key))[1])
    now = timezone.now()
    subject = subject_for_user(user)
    with transaction.atomic():
        sign_ins = {
            s.application.client_id: s
            for s in ApplicationSignIn.objects.select_for_update()
            .filter(user=user, signed_out_at__isnull=True)
            .select_related("application")
        }
        deliveries = []
        ended_apps: set[str] = set()
        for sid, apps in ending.values():
            for client_id in apps:
                sign_in = sign_ins.get(client_id)
                if sign_in is None:
                    continue
                ended_apps.add(client_id)
                if not sign_in.application.backchannel_logout_uri:
                    continue
                delivery = BackchannelLogoutDelivery.objects.create(
                    application=sign_in.application,
                    user=user,
                    subject=subject,
                    reason=reason,
                    uri=sign_in.application.backchannel_logout_uri,
                    issuer=sign_in.issuer or settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT", ""),
                    next_attempt_at=now,
                )
                cache.set(_sid_key(delivery.jti), sid, timeout=SID_KEEP_SECONDS)
                deliveries.append(delivery)
        finished = [sign_ins[c].pk for c in ended_apps - still_signed_in]
        if finished:
            ApplicationSignIn.objects.filter(pk__in=finished).update(signed_out_at=now)
        ids = [d.pk for d in deliveries]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return ids


def notify_session_keys_end(
    *, user_id: int, session_keys: list[str], reason: str = LogoutReason.LOGOUT
) -> list[int]:
    """``notify_sessions_end`` for sessions known by their keys (read from the session
    store, so call it before they are deleted)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = {key: _session_data(store_class, key) for key in session_keys}
    return notify_sessions_end(
        user_id=user_id, sessions=sessions, reason=reason, store_class=store_class
    )


def _enqueue(ids: list[int]) -> None:
    """Queue one delivery task per id. The task is found by name in the Celery registry
    (``accounts.apps`` imports the tasks at start-up): ``accounts.oidc.tasks`` imports this
    module, never the other way round."""
    task = current_app.tasks[TASK_DELIVER_BACKCHANNEL_LOGOUT]
    for delivery_id in ids:
        task.delay(delivery_id)


def logout_token(delivery: BackchannelLogoutDelivery) -> str:
    """The signed logout token of ``delivery`` (same ``jti`` on every attempt)."""
    key, kid = signing_key()
    now = int(time.time())
    claims = {
        "iss": delivery.issuer,
        "aud": delivery.application.client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME_SECONDS,
        "jti": str(delivery.jti),
        "sub": delivery.subject,
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    sid = delivery_sid(delivery)
    if sid:
        claims["sid"] = sid
    header = {"alg": "RS256", "typ": LOGOUT_TOKEN_TYPE, "kid": kid}
    token = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


def delivery_attempt(delivery_id: int) -> str | None:
    """POST the logout token of one delivery. Returns the resulting status, or None when
    there was nothing to do (delivered already, gone, or given up)."""
    delivery = (
        BackchannelLogoutDelivery.objects.select_related("application", "user")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    status_code = None
    error = ""
    try:
        response = requests.post(
            delivery.uri,
            data={"logout_token": logout_token(delivery)},
            headers={"Cache-Control": "no-store"},
            timeout=settings.OIDC_BACKCHANNEL_TIMEOUT,
            allow_redirects=False,
        )
        status_code = response.status_code
        ok = 200 <= status_code < 300
        if not ok:
            error = f"HTTP {status_code}: {response.text[:200]}"
    except requests.RequestException as exc:
        ok = False
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    now = timezone.now()
    attempts = delivery.attempts + 1
    if ok:
        status = DeliveryStatus.DELIVERED
        next_attempt = None
    elif attempts >= settings.OIDC_BACKCHANNEL_ATTEMPTS:
        status = DeliveryStatus.FAILED
        next_attempt = None
    else:
        status = DeliveryStatus.PENDING
        next_attempt = now + timedelta(seconds=retry_delay(attempts))
    # Conditional update: a concurrent attempt that already finished wins.
    BackchannelLogoutDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(
        status=status,
        attempts=attempts,
        last_status_code=status_code,
        last_error=error[:500],
        next_attempt_at=next_attempt,
        delivered_at=now if ok else None,
    )
    if status == DeliveryStatus.DELIVERED:
        metrics.increment("sso_backchannel_logouts_total", result="delivered")
    elif status == DeliveryStatus.FAILED:
        metrics.increment("sso_backchannel_logouts_total", result="failed")
        audit_oidc_event(
            event="backchannel_failed",
            application=delivery.application,
            user=delivery.user,
            details=f"attempts={attempts} error={error[:200]}",
            action=AuditAction.OTHER,
        )
        logger.warning(
            "back-channel logout to %s failed for good after %s attempts: %s",
            delivery.uri,
            attempts,
            error,
        )
    return status


def deliveries_due(now=None) -> list[int]:
    """Pending deliveries whose next attempt time has come."""
    now = now or timezone.now()
    return list(
        BackchannelLogoutDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
