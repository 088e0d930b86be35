"""Personal, revocable tokens for desktop notifiers (the feed)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import FeedToken

TOKEN_PREFIX = "mnf_"  # noqa: S105 - a marker, not a secret


def _checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def feed_token_create(*, user, actor, name: str) -> tuple[FeedToken, str]:
    """A new token of ``user`` (made by themself). Returns the row and the token, which is
    shown once and never stored."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = FeedToken(user=user, name=name.strip()[:100], checksum=_checksum(raw), prefix=raw[:8])
    token.full_clean()
    token.save()
    return token, raw


def feed_token_revoke(*, token: FeedToken, actor) -> FeedToken:
    """Revoke ``token`` (its owner or a superuser); a revoked token never works again."""
    if actor is None or (actor.pk != token.user_id and not actor.is_superuser):
        raise PermissionDenied
    with transaction.atomic():
        FeedToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    token.refresh_from_db()
    return token


def feed_user_for_token(raw: str):
    """The active person of a valid, unrevoked token, or None. Notes the use (at most once
    a minute, so a polling agent does not write on every request)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        FeedToken.objects.select_related("user")
        .filter(checksum=_checksum(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - timedelta(minutes=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
