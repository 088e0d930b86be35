"""Reads of the subscriber side (the archive's are in ``selectors_archive``)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from .models import (
    ImportBatch,
    Newsletter,
    Subscriber,
    SubscriberState,
    Subscription,
    SubscriptionState,
)


def localised(newsletter: Newsletter, name: str, language: str | None = None) -> str:
    """``newsletter.<name>_en`` on English pages (falling back to Chinese), else ``_zh``."""
    english = (language or get_language() or "").lower().startswith("en")
    if english:
        return getattr(newsletter, f"{name}_en", "") or getattr(newsletter, f"{name}_zh", "")
    return getattr(newsletter, f"{name}_zh", "")


def newsletters_open() -> QuerySet[Newsletter]:
    """The newsletters one can subscribe to, in their order."""
    return Newsletter.objects.filter(active=True).order_by("sort_order", "code")


def subscriptions_of(subscriber: Subscriber) -> QuerySet[Subscription]:
    return subscriber.subscriptions.select_related("newsletter").order_by(
        "newsletter__sort_order", "newsletter__code"
    )


def confirmed_codes(subscriber: Subscriber) -> set[str]:
    return set(
        subscriber.subscriptions.filter(state=SubscriptionState.CONFIRMED).values_list(
            "newsletter__code", flat=True
        )
    )


def subscriber_search(*, q: str = "", newsletter: str = "", state: str = "") -> QuerySet:
    """Subscribers for the managers' list: by part of the address, a newsletter (confirmed
    subscriptions) and the subscriber's state; erased ones only when asked for by state."""
    rows = Subscriber.objects.all()
    q = (q or "").strip()
    if q:
        rows = rows.filter(email__icontains=q.lower())
    if newsletter:
        rows = rows.filter(
            subscriptions__newsletter__code=newsletter,
            subscriptions__state=SubscriptionState.CONFIRMED,
        )
    if state in SubscriberState.values:
        rows = rows.filter(state=state)
    else:
        rows = rows.exclude(state=SubscriberState.ERASED)
    return rows.annotate(
        confirmed=Count("subscriptions", filter=Q(subscriptions__state=SubscriptionState.CONFIRMED))
    ).order_by("-created_at", "-id")


def newsletter_counts() -> QuerySet[Newsletter]:
    """Every newsletter with its numbers of confirmed and pending subscriptions (of active
    subscribers)."""
    active = Q(subscriptions__subscriber__state=SubscriberState.ACTIVE)
    return Newsletter.objects.annotate(
        confirmed=Count(
            "subscriptions",
            filter=active & Q(subscriptions__state=SubscriptionState.CONFIRMED),
        ),
        pending=Count(
            "subscriptions", filter=active & Q(subscriptions__state=SubscriptionState.PENDING)
        ),
    ).order_by("sort_order", "code")


def import_batches() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")
