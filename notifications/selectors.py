"""Reads of the notifications app. A person sees only their own notices; the delivery log is
for the admin (Django model permissions) and the API caller that sent the message."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from .choices import Channel, DeliveryState, NoticeState
from .models import ApiClient, ApiMessage, Delivery, Notice

OPEN = [NoticeState.UNREAD, NoticeState.READ]


def notices_of(user) -> QuerySet[Notice]:
    """Every notice of ``user`` (none for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient_id=user.pk)


def inbox(
    user, *, state: str = "open", kind: str = "", source: str = "", q: str = ""
) -> QuerySet[Notice]:
    """The inbox page's list: ``state`` "open" (unread and read), "all", or one state."""
    rows = notices_of(user)
    if state == "open":
        rows = rows.filter(state__in=OPEN)
    elif state and state != "all":
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if source:
        rows = rows.filter(source=source)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return rows.order_by("-created_at", "-id")


def sources_of(user) -> list[str]:
    return list(notices_of(user).order_by().values_list("source", flat=True).distinct())


def badge(user) -> dict:
    """``{"unread": n, "latest": id}`` for the header badge (one indexed query)."""
    row = (
        notices_of(user).filter(state=NoticeState.UNREAD).aggregate(n=Count("pk"), latest=Max("pk"))
    )
    return {"unread": row["n"] or 0, "latest": row["latest"] or 0}


def notices_since(user, since: int, limit: int = 50) -> list[Notice]:
    """``user``'s notices newer than id ``since``, oldest first (the feed and the badge)."""
    return list(notices_of(user).filter(pk__gt=since).order_by("pk")[:limit])


def deliveries_for(source) -> QuerySet[Delivery]:
    """The outbox rows recorded with ``source=obj`` (e.g. a petition's mails)."""
    return Delivery.objects.filter(
        source_type=ContentType.objects.get_for_model(source, for_concrete_model=False),
        source_id=str(source.pk),
    )


def delivery_by_message_id(message_ids) -> Delivery | None:
    """The outbox row one of ``message_ids`` (a bounce's or a reply's ``In-Reply-To`` and
    ``References``) names, or None."""
    ids = [message_ids] if isinstance(message_ids, str) else [m for m in message_ids if m]
    if not ids:
        return None
    return Delivery.objects.filter(message_id__in=ids).order_by("pk").first()


def api_client_for(application) -> ApiClient | None:
    if application is None:
        return None
    return ApiClient.objects.filter(application=application, active=True).first()


def api_message_of(client: ApiClient, pk: int) -> ApiMessage | None:
    return ApiMessage.objects.filter(client=client, pk=pk).first()


def api_message_states(message: ApiMessage) -> list[dict]:
    """Per recipient: the notice's state and every delivery's channel and state."""
    notices = (
        message.notices.select_related("recipient").prefetch_related("deliveries").order_by("pk")
    )
    return [
        {
            "notice": n.pk,
            "employee": n.recipient.employee_number or "",
            "state": n.state,
            "deliveries": [
                {
                    "channel": d.channel,
                    "state": d.state,
                    "attempts": d.attempts,
                    "sent_at": d.sent_at,
                    "provider_id": d.provider_id,
                    "error": d.last_error,
                    "fallback_of": d.fallback_of_id,
                }
                for d in sorted(n.deliveries.all(), key=lambda d: d.pk)
            ],
        }
        for n in notices
    ]


def outbox_metrics() -> dict:
    """Counters for monitoring, read from the outbox (the database is the record, so they
    survive restarts): deliveries by channel and state, fallbacks, and the age in seconds of
    the oldest message that is due and not sent (0 when none)."""
    now = timezone.now()
    by_state = {f"{c}:{s}": 0 for c in Channel.values for s in DeliveryState.values}
    for row in Delivery.objects.values("channel", "state").annotate(n=Count("pk")).order_by():
        by_state[f"{row['channel']}:{row['state']}"] = row["n"]
    oldest = Delivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=now).aggregate(
        oldest=Min("due_at")
    )["oldest"]
    return {
        "deliveries": by_state,
        "sent": sum(v for k, v in by_state.items() if k.endswith((":sent", ":delivered"))),
        "failed": sum(v for k, v in by_state.items() if k.endswith(":failed")),
        "bounced": sum(v for k, v in by_state.items() if k.endswith(":bounced")),
        "fallback": Delivery.objects.filter(fallback_of__isnull=False).count(),
        "pending": Delivery.objects.filter(state=DeliveryState.PENDING).count(),
        "queue_age_seconds": max(0, int((now - oldest).total_seconds())) if oldest else 0,
        "notices_unread": Notice.objects.filter(state=NoticeState.UNREAD).count(),
    }
