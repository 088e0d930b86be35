"""A subscriber's personal data on request: export (everything kept about one address) and
erasure. Both need the role ``epaper.manager`` (``PermissionDenied`` otherwise) and write an
audit entry naming the subscriber by its number only, so the audit log never holds the
address (not even after it was erased).

Erasure keeps what the statistics need and nothing that identifies the person: the row stays
(issue deliveries and bounces point at it and keep counting) with the address replaced by
``erased-<id>@erased.invalid``, the state ``erased``, the consent record, language and bounce
details cleared, every subscription unsubscribed (their dates kept), the opt-in requests (with
their IP addresses) deleted, the mails of the outbox to the address blanked
(``notifications.services.deliveries_erase``; waiting ones cancelled), waiting deliveries of
issues being sent skipped, and ``link_version`` raised so every link in mails already sent
stops working.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.choices import AuditAction
from core.services import audit_record
from notifications.services import deliveries_erase

from ..models import (
    Bounce,
    DeliveryState,
    IssueDelivery,
    OptIn,
    Subscriber,
    SubscriberState,
    Subscription,
    SubscriptionState,
)
from ..roles import MANAGER

ERASED_DOMAIN = "erased.invalid"


def may_manage_subscribers(user) -> bool:
    """Whether ``user`` may search, import, export and erase subscribers."""
    return authz.has_role(user, MANAGER)


def _check(actor) -> None:
    if not may_manage_subscribers(actor):
        raise PermissionDenied(_("Only e-paper managers may do this."))


class _AuditSubject:
    """The subscriber as the audit log names it: its type and number, never its address."""

    def __init__(self, subscriber: Subscriber):
        self._meta = subscriber._meta
        self.pk = subscriber.pk

    def __str__(self) -> str:
        return f"subscriber #{self.pk}"


def _time(value) -> str | None:
    return value.isoformat() if value else None


def subscriber_export(*, subscriber: Subscriber, actor) -> dict:
    """Everything kept about ``subscriber``, as plain data (JSON-ready), and an audit entry."""
    _check(actor)
    subscriptions = [
        {
            "newsletter": s.newsletter.code,
            "newsletter_name": s.newsletter.name_zh,
            "state": s.state,
            "source": s.source,
            "requested_at": _time(s.requested_at),
            "confirmed_at": _time(s.confirmed_at),
            "unsubscribed_at": _time(s.unsubscribed_at),
        }
        for s in subscriber.subscriptions.select_related("newsletter").order_by(
            "newsletter__sort_order", "newsletter__code"
        )
    ]
    opt_ins = [
        {
            "requested_at": _time(o.created_at),
            "newsletters": sorted(n.code for n in o.newsletters.all()),
            "expires_at": _time(o.expires_at),
            "confirmed_at": _time(o.confirmed_at),
            "ip": o.ip,
            "source": o.source,
            "privacy_version": o.privacy_version,
        }
        for o in subscriber.opt_ins.prefetch_related("newsletters").order_by("created_at", "pk")
    ]
    deliveries = [
        {
            "newsletter": d.issue.newsletter.code,
            "issue_number": d.issue.number,
            "issue_title": d.issue.title,
            "state": d.state,
            "sent_at": _time(d.sent_at),
        }
        for d in IssueDelivery.objects.filter(subscriber=subscriber)
        .select_related("issue__newsletter")
        .order_by("pk")
    ]
    bounces = [
        {
            "kind": b.kind,
            "status": b.status,
            "reason": b.reason,
            "received_at": _time(b.received_at),
        }
        for b in subscriber.bounces.order_by("received_at", "pk")
    ]
    data = {
        "email": subscriber.email,
        "language": subscriber.language,
        "state": subscriber.state,
        "created_at": _time(subscriber.created_at),
        "consent": {
            "given_at": _time(subscriber.consented_at),
            "ip": subscriber.consent_ip,
            "source": subscriber.consent_source,
            "privacy_version": subscriber.privacy_version,
        },
        "bounces_counted": {
            "hard": subscriber.hard_bounces,
            "soft_in_a_row": subscriber.soft_bounces,
            "last_at": _time(subscriber.last_bounce_at),
            "disabled_at": _time(subscriber.disabled_at),
        },
        "imported_from": subscriber.import_batch.source if subscriber.import_batch else None,
        "subscriptions": subscriptions,
        "opt_ins": opt_ins,
        "deliveries": deliveries,
        "bounces": bounces,
        "exported_at": _time(timezone.now()),
    }
    audit_record(
        action=AuditAction.VIEW,
        obj=_AuditSubject(subscriber),
        actor=actor,
        message="epaper: personal data exported",
    )
    return data


def erased_email(subscriber: Subscriber) -> str:
    return f"erased-{subscriber.pk}@{ERASED_DOMAIN}"


def subscriber_erase(*, subscriber: Subscriber, actor, reason: str = "") -> bool:
    """Erase ``subscriber``'s personal data (see the module docstring). Returns False when it
    was already erased (nothing changes, no second audit entry)."""
    _check(actor)
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.state == SubscriberState.ERASED:
            return False
        reason = " ".join(str(reason or "").split())[:200]
        Subscription.objects.filter(subscriber=subscriber).exclude(
            state=SubscriptionState.UNSUBSCRIBED
        ).update(state=SubscriptionState.UNSUBSCRIBED, unsubscribed_at=now)
        OptIn.objects.filter(subscriber=subscriber).delete()
        IssueDelivery.objects.filter(subscriber=subscriber, state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED
        )
        IssueDelivery.objects.filter(subscriber=subscriber).update(error="")
        Bounce.objects.filter(subscriber=subscriber).update(reason="")
        deliveries_erase(source=subscriber)
        subscriber.email = erased_email(subscriber)
        subscriber.state = SubscriberState.ERASED
        subscriber.language = "zh-hant"
        subscriber.link_version += 1
        subscriber.consented_at = None
        subscriber.consent_ip = None
        subscriber.consent_source = ""
        subscriber.privacy_version = ""
        subscriber.hard_bounces = 0
        subscriber.soft_bounces = 0
        subscriber.last_bounce_at = None
        subscriber.save()
        audit_record(
            action=AuditAction.DELETE,
            obj=_AuditSubject(subscriber),
            actor=actor,
            message=f"epaper: personal data erased on request ({reason})"
            if reason
            else "epaper: personal data erased on request",
        )
    return True
