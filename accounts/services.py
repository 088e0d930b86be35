"""Writes of the accounts app that every part of it shares: sessions and tokens.

Parts of the SSO live in sub-packages (``accounts.hr``, ``accounts.ldap``, ``accounts.mfa``,
``accounts.oidc``); they all end sessions and revoke tokens through the functions here. Ending
a session tells the applications signed in from it (``accounts.oidc.backchannel``), so this
module sits above the OIDC back-channel and below ``accounts.mfa``.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from core.choices import AuditAction
from core.http import client_ip
from core.services import audit_record

from .models import User, UserSession
from .oidc.backchannel import notify_session_keys_end, notify_user_logout


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_record_login(*, request, user: User, method: str) -> UserSession | None:
    """Remember the browser session a user just signed in with (for "my sessions")."""
    if not request.session.session_key:
        request.session.save()
    record, _ = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "method": method,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "last_seen_at": timezone.now(),
            "ended_at": None,
        },
    )
    return record


def user_session_end(*, user: User, session_key: str, by: User | None = None) -> bool:
    """End one browser session of ``user``. Returns False when it was not theirs or is gone."""
    record = UserSession.objects.filter(
        user=user, session_key=session_key, ended_at__isnull=True
    ).first()
    if record is None:
        return False
    # The applications signed in from this session are told before its data is gone.
    notify_session_keys_end(user_id=user.pk, session_keys=[session_key])
    _session_store()(session_key).delete()
    record.ended_at = timezone.now()
    record.save(update_fields=["ended_at"])
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=by,
        message=f"session ended ip={record.ip_address or ''}",
    )
    return True


def user_sessions_end_all(*, user: User, except_key: str | None = None, by=None) -> int:
    """End every browser session of ``user`` (optionally keeping the current one)."""
    store = _session_store()
    records = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if except_key:
        records = records.exclude(session_key=except_key)
    count = 0
    now = timezone.now()
    for record in records:
        store(record.session_key).delete()
        count += 1
    records.update(ended_at=now)
    return count


def user_tokens_revoke(*, user: User, application=None) -> int:
    """Revoke the user's OAuth2 refresh and access tokens (for one application or all)."""
    RefreshToken = get_refresh_token_model()
    AccessToken = get_access_token_model()
    refresh = RefreshToken.objects.filter(user=user, revoked__isnull=True)
    access = AccessToken.objects.filter(user=user)
    if application is not None:
        refresh = refresh.filter(application=application)
        access = access.filter(application=application)
    count = 0
    for token in refresh.select_related("access_token"):
        token.revoke()
        count += 1
    for token in access:
        token.revoke()
        count += 1
    return count


@transaction.atomic
def user_sign_out_everywhere(*, user: User, by: User | None = None, except_key=None) -> dict:
    """End all browser sessions and revoke all tokens of ``user``; applications that registered
    a back-channel logout URL are told (``accounts.oidc``)."""
    sessions = user_sessions_end_all(user=user, except_key=except_key, by=by)
    tokens = user_tokens_revoke(user=user)
    transaction.on_commit(lambda: notify_user_logout(user_id=user.pk))
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=by,
        message=f"signed out everywhere: {sessions} sessions, {tokens} tokens",
    )
    return {"sessions": sessions, "tokens": tokens}
