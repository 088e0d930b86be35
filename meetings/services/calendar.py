"""The attendees' iCalendar subscription (a revocable per-person token URL)."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.services import audit_record

from ..models import CalendarFeed


def _token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_enable(*, actor) -> CalendarFeed:
    """The actor's feed, made on first use."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied
    feed, created = CalendarFeed.objects.get_or_create(user=actor, defaults={"token": _token()})
    if created:
        audit_record(action="create", obj=feed, actor=actor, message="meetings: calendar feed")
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor) -> CalendarFeed:
    """A new token: the old URL stops working at once."""
    feed = calendar_feed_enable(actor=actor)
    feed.token = _token()
    feed.save(update_fields=["token"])
    audit_record(action="update", obj=feed, actor=actor, message="meetings: calendar feed reset")
    return feed


def calendar_feed_revoke(*, actor) -> bool:
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is None:
        return False
    audit_record(action="delete", obj=feed, actor=actor, message="meetings: calendar feed revoked")
    feed.delete()
    return True
