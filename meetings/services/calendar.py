"""The attendees' iCalendar subscription (a revocable per-person token URL). Only the token's
SHA-256 is stored; the token itself is on the feed returned by the call that made it
(``feed.token``) and nowhere else."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.services import audit_record

from ..models import CalendarFeed


def _new_token(feed: CalendarFeed) -> None:
    feed.token = secrets.token_urlsafe(32)
    feed.token_hash = CalendarFeed.hash_token(feed.token)


def calendar_feed_enable(*, actor) -> CalendarFeed:
    """The actor's feed, made on first use (then with its ``token``; an existing feed's token
    is not known any more: ``calendar_feed_reset`` makes a new one)."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        return feed
    feed = CalendarFeed(user=actor)
    _new_token(feed)
    try:
        with transaction.atomic():
            feed.save()
    except IntegrityError:  # a second click made it meanwhile
        return CalendarFeed.objects.get(user=actor)
    audit_record(action="create", obj=feed, actor=actor, message="meetings: calendar feed")
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor) -> CalendarFeed:
    """A new token: the old URL stops working at once."""
    feed = calendar_feed_enable(actor=actor)
    if feed.token is None:
        _new_token(feed)
        feed.save(update_fields=["token_hash"])
        audit_record(
            action="update", obj=feed, actor=actor, message="meetings: calendar feed reset"
        )
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
