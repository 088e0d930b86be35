"""The one outbox: every e-mail and SMS the portal sends is a ``Delivery`` row.

Writing (inside the caller's transaction):

- ``outbox_email(to=, subject=, text=, html=, message_id=, reply_to=, headers=, source=,
  kind=, sensitive=, due_at=)`` and ``outbox_sms(to=, text=, source=, kind=,
  fallback_email=)`` write the row and, when the caller's transaction commits, enqueue the
  relay task for it. Nothing is sent inside the transaction; a rollback leaves nothing.
  If the broker is down at commit the request still succeeds: the periodic sweep
  (``deliveries_relay``) sends every row that is due and unsent.

Sending (``delivery_send(delivery_id=)``, from the task or the sweep):

1. **claim**: one conditional ``UPDATE … SET state='sending', claim_token=<new>,
   lease_until=now+lease, attempts=attempts+1 WHERE id=… AND state='pending' AND
   due_at<=now``. Only one worker's update matches, so two workers, a re-delivered task or a
   re-run sweep never send a row twice.
2. **send** outside any transaction (SMTP or SMS gateway).
3. **mark** ``sent`` (``UPDATE … WHERE claim_token=<ours>``), log the attempt. On a temporary
   error: back to ``pending`` with ``due_at`` = now + backoff (``base·2^(n-1)``, capped, with
   jitter) until ``NOTIFICATIONS_MAX_ATTEMPTS``; then ``failed``. A permanent error fails at once.
   A failed SMS with a person behind it (or a ``fallback_email``) gets an e-mail instead.

A worker that dies between 1 and 3 leaves the row ``sending``; once ``lease_until`` has passed
the sweep puts it back to ``pending`` and it is sent again. The lease
(``NOTIFICATIONS_CLAIM_LEASE_SECONDS``) is longer than the task's hard time limit, so a live
worker is always stopped before its claim can be taken over. The one window nobody can close
is a provider that accepted the message just before the worker died: the resend then carries
the same ``Message-ID`` (SMS: the same Mitake ``clientid``, which Mitake drops for 12 hours),
so mail clients and the gateway see one message.
"""

from __future__ import annotations

import logging
import random
import smtplib
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import sms
from ..choices import AttemptOutcome, Channel, DeliveryState
from ..constants import RELAY_CHUNK, TASK_DELIVER
from ..models import Delivery, DeliveryAttempt
from .rendering import text_to_html

logger = logging.getLogger("notifications.outbox")


# --- Identifiers ----------------------------------------------------------------------------


def message_domain() -> str:
    """The domain of generated Message-IDs (``NOTIFICATIONS_MESSAGE_ID_DOMAIN``, else the
    domain of ``DEFAULT_FROM_EMAIL``)."""
    if settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN:
        return settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.partition("@")[2] or "localhost"


def new_message_id(domain: str | None = None) -> str:
    """``<32 hex digits@domain>``: unique without a DNS lookup (``make_msgid`` does one)."""
    return f"<{uuid.uuid4().hex}@{domain or message_domain()}>"


def new_sms_id() -> str:
    """32 hex digits: the SMS row's id, sent as Mitake's ``clientid`` (at most 36)."""
    return uuid.uuid4().hex


def _source_fields(source) -> dict:
    if source is None:
        return {}
    return {
        "source_type": ContentType.objects.get_for_model(source, for_concrete_model=False),
        "source_id": str(source.pk),
    }


# --- Enqueueing -----------------------------------------------------------------------------


def _publish(ids: list[int]) -> None:
    """Hand ids to the relay task; a broker error is logged, not raised (the sweep sends)."""
    task = current_app.tasks[TASK_DELIVER]
    for start in range(0, len(ids), RELAY_CHUNK):
        chunk = ids[start : start + RELAY_CHUNK]
        try:
            task.apply_async(kwargs={"delivery_ids": chunk}, ignore_result=True)
        except Exception:  # noqa: BLE001 - the database row is the record; the sweep relays it
            logger.warning(
                "outbox: could not enqueue %s deliveries; the sweep will send them",
                len(chunk),
                exc_info=True,
            )


def deliveries_enqueue_on_commit(ids: list[int]) -> None:
    """Relay ``ids`` after the caller's transaction commits (at once outside one). Rows due
    later (quiet hours, backoff) are skipped by the claim and sent by the sweep."""
    if ids:
        transaction.on_commit(lambda: _publish(list(ids)))


# --- Writing --------------------------------------------------------------------------------


def _clean_subject(subject: str) -> str:
    return " ".join(str(subject).split())[:300]


def outbox_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    message_id: str | None = None,
    reply_to: str = "",
    headers: dict | None = None,
    source=None,
    kind: str = "mail",
    notice=None,
    sensitive: bool = False,
    due_at: datetime | None = None,
    enqueue: bool = True,
) -> Delivery:
    """Record one e-mail to ``to`` (a person or any address, e.g. a citizen) and relay it
    after commit.

    ``text`` is the plain part; ``html`` the HTML part (default: built from ``text``).
    ``message_id`` (``<…@…>``) is generated when not given and stays the row's for every
    resend. ``headers`` are added as they are (e.g. ``In-Reply-To``); ``List-Id``,
    ``Auto-Submitted`` and ``Message-ID`` are set by the outbox. ``source`` is any model
    instance the mail is about (kept as a generic link: ``deliveries_for(source)``).
    ``sensitive`` rows lose their text and HTML once sent (confirmation links, codes).
    ``due_at`` holds the mail until then. Raises ``ValidationError`` for a bad address.
    Must be called inside ``transaction.atomic`` when the mail belongs to a change.
    """
    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValidationError({"to": exc.messages}) from exc
    delivery = Delivery(
        channel=Channel.EMAIL,
        kind=kind[:60],
        to=to,
        subject=_clean_subject(subject),
        text=text,
        html=html,
        reply_to=reply_to,
        headers=dict(headers or {}),
        sensitive=sensitive,
        message_id=message_id or new_message_id(),
        due_at=due_at or timezone.now(),
        notice=notice,
        **_source_fields(source),
    )
    delivery.save()
    if enqueue:
        deliveries_enqueue_on_commit([delivery.pk])
    return delivery


def outbox_sms(
    *,
    to: str,
    text: str,
    source=None,
    kind: str = "sms",
    notice=None,
    fallback_email: str = "",
    due_at: datetime | None = None,
    enqueue: bool = True,
) -> Delivery:
    """Record one SMS to the Taiwan mobile number ``to`` (normalised; ``ValidationError``
    otherwise) and relay it after commit. When it fails for good it is mailed to
    ``fallback_email`` (or, for a notice, to its recipient's address) instead."""
    try:
        number = sms.normalise_mobile(to)
    except ValidationError as exc:
        raise ValidationError({"to": exc.messages}) from exc
    delivery = Delivery(
        channel=Channel.SMS,
        kind=kind[:60],
        to=number,
        text=text,
        message_id=new_sms_id(),
        fallback_email=fallback_email,
        due_at=due_at or timezone.now(),
        notice=notice,
        **_source_fields(source),
    )
    delivery.save()
    if enqueue:
        deliveries_enqueue_on_commit([delivery.pk])
    return delivery


# --- Sending --------------------------------------------------------------------------------


class PermanentError(Exception):
    """The provider refused the message for good."""


def backoff_seconds(attempt: int) -> float:
    """Seconds before try ``attempt + 1``: ``base · 2^(attempt-1)``, at most the cap, with
    up to 10 % jitter so a burst of failures does not retry in lockstep."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    delay = min(base * (2 ** max(attempt - 1, 0)), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return delay * (1 + random.random() * 0.1)  # noqa: S311 - jitter, not a secret


def _claim(delivery_id: int) -> tuple[Delivery | None, str]:
    token = uuid.uuid4().hex
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, due_at__lte=now
    ).update(
        state=DeliveryState.SENDING,
        claim_token=token,
        lease_until=now + lease,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None, token
    return Delivery.objects.select_related("notice__recipient").get(pk=delivery_id), token


# One SMTP connection per worker process, reused between messages (a new TCP and SMTP
# handshake per mail costs more than the mail). Reopened once when the server dropped it.
_smtp: dict = {"connection": None, "key": None}


def _connection_key() -> tuple:
    return (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)


def _email_message(delivery: Delivery) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": delivery.message_id,
        "List-Id": list_id(delivery),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        **{str(k): str(v) for k, v in (delivery.headers or {}).items()},
    }
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text,
        from_email=settings.NOTIFICATIONS_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to],
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
        headers=headers,
    )
    message.attach_alternative(delivery.html or text_to_html(delivery.text), "text/html")
    if settings.NOTIFICATIONS_BOUNCE_ADDRESS:
        # The envelope sender: bounces go to the address whose mailbox the intake reads.
        message.extra_headers.setdefault("Return-Path", settings.NOTIFICATIONS_BOUNCE_ADDRESS)
    return message


def list_id(delivery: Delivery) -> str:
    """``List-Id`` of a delivery: one list per source app, so people can filter
    (``<documents.notices.example>``); RFC 2919."""
    app = (delivery.kind.split(".", 1)[0] or "portal").lower()
    return f"<{app}.{settings.NOTIFICATIONS_LIST_ID_DOMAIN}>"


def _send_email(delivery: Delivery) -> str:
    message = _email_message(delivery)
    for attempt in (1, 2):
        if _smtp["key"] != _connection_key():
            _smtp_close()
        connection = _smtp["connection"]
        if connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()
            _smtp["connection"], _smtp["key"] = connection, _connection_key()
        message.connection = connection
        try:
            connection.send_messages([message])
            return ""
        except smtplib.SMTPServerDisconnected:
            _smtp_close()
            if attempt == 2:
                raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentError(f"recipient refused: {exc.recipients}") from exc
            _smtp_close()
            raise
        except Exception:
            _smtp_close()
            raise
    return ""  # pragma: no cover


def _smtp_close() -> None:
    connection, _smtp["connection"], _smtp["key"] = _smtp["connection"], None, None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a dead connection may fail to close
            logger.debug("outbox: closing a dead SMTP connection failed", exc_info=True)


def _send_sms(delivery: Delivery) -> tuple[str, bool]:
    try:
        result = sms.gateway().send(
            to=delivery.to, text=delivery.text, client_id=delivery.message_id
        )
    except sms.SmsRejected as exc:
        raise PermanentError(str(exc)) from exc
    except ValidationError as exc:
        raise PermanentError("; ".join(exc.messages)) from exc
    return result.provider_id, result.duplicate


def _log_attempt(delivery: Delivery, started: datetime, outcome: str, provider_id="", error=""):
    DeliveryAttempt.objects.create(
        delivery_id=delivery.pk,
        number=delivery.attempts,
        started_at=started,
        outcome=outcome,
        provider_id=provider_id[:100],
        error=str(error)[:2000],
    )


def delivery_send(*, delivery_id: int) -> bool:
    """Claim, send and mark one delivery (see the module docstring). True when this call
    handed it to the provider; False when there was nothing to do (unknown, not due, already
    claimed, sent or failed). Errors are recorded on the row, never raised."""
    delivery, token = _claim(delivery_id)
    if delivery is None:
        return False
    started = timezone.now()
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token, state=DeliveryState.SENDING)
    try:
        if delivery.channel == Channel.EMAIL:
            provider_id, duplicate = _send_email(delivery), False
        else:
            provider_id, duplicate = _send_sms(delivery)
    except PermanentError as exc:
        _fail(delivery, mine, started, exc)
        return False
    except Exception as exc:  # noqa: BLE001 - every provider error is recorded and retried
        if delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            _fail(delivery, mine, started, exc)
            return False
        mine.update(
            state=DeliveryState.PENDING,
            due_at=timezone.now() + timedelta(seconds=backoff_seconds(delivery.attempts)),
            last_error=str(exc)[:2000],
            lease_until=None,
        )
        _log_attempt(delivery, started, AttemptOutcome.RETRY, error=exc)
        logger.info(
            "outbox: delivery %s attempt %s failed, retried later: %s",
            delivery.pk,
            delivery.attempts,
            exc,
        )
        return False
    done = {
        "state": DeliveryState.SENT,
        "sent_at": timezone.now(),
        "lease_until": None,
        "provider_id": provider_id[:100],
        "last_error": "",
    }
    if delivery.sensitive:
        done.update(text="", html="")
    with transaction.atomic():  # one commit for the mark and its attempt row
        mine.update(**done)
        _log_attempt(
            delivery,
            started,
            AttemptOutcome.DUPLICATE if duplicate else AttemptOutcome.SENT,
            provider_id=provider_id,
        )
    return True


def _fail(delivery: Delivery, mine, started: datetime, exc: Exception) -> None:
    with transaction.atomic():
        changed = mine.update(
            state=DeliveryState.FAILED, last_error=str(exc)[:2000], lease_until=None
        )
        _log_attempt(delivery, started, AttemptOutcome.FAILED, error=exc)
        if changed:
            delivery_fallback(delivery=delivery, reason=str(exc))
    logger.warning("outbox: delivery %s failed for good: %s", delivery.pk, exc)


def delivery_fallback(*, delivery: Delivery, reason: str) -> Delivery | None:
    """For a failed SMS: the same text by e-mail, to ``fallback_email`` or the notice's
    recipient (once per SMS). None when there is nowhere to send it."""
    if delivery.channel != Channel.SMS or delivery.fallbacks.exists():
        return None
    address = delivery.fallback_email
    notice = delivery.notice
    if not address and notice is not None:
        address = notice.recipient.email
    if not address:
        return None
    subject = notice.title if notice is not None else delivery.text[:60]
    fallback = outbox_email(
        to=address,
        subject=subject,
        text=delivery.text if notice is None else (notice.body or notice.title),
        kind=delivery.kind,
        notice=notice,
        source=delivery.source,
        sensitive=delivery.sensitive,
        headers={"X-MOL-Fallback-Of": delivery.message_id},
    )
    Delivery.objects.filter(pk=fallback.pk).update(fallback_of=delivery)
    logger.info("outbox: SMS %s failed (%s); e-mailed as %s", delivery.pk, reason, fallback.pk)
    return fallback


def deliveries_relay(*, limit: int | None = None) -> dict:
    """The sweep: put back claims whose lease ran out, then send every due, pending row
    (oldest first, at most ``limit``). Safe to run anywhere, any number of times at once:
    each row is still claimed one by one. Returns counts."""
    now = timezone.now()
    released = Delivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=now).update(
        state=DeliveryState.PENDING, lease_until=None
    )
    limit = limit or settings.NOTIFICATIONS_RELAY_BATCH
    ids = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(delivery_send(delivery_id=pk) for pk in ids)
    return {"released": released, "due": len(ids), "sent": sent}


# --- Afterwards -----------------------------------------------------------------------------


def delivery_bounced(*, message_id: str, reason: str) -> Delivery | None:
    """Record that the mail with ``message_id`` bounced (a delivery status notification
    came back, e.g. read by the petitions mail intake). None for an unknown id."""
    delivery = Delivery.objects.filter(message_id=message_id).first()
    if delivery is None:
        return None
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.BOUNCED, bounced_at=timezone.now(), bounce_reason=reason[:2000]
    )
    delivery.refresh_from_db()
    return delivery


def sms_report(*, provider_id: str, status: str, delivered: bool | None) -> Delivery | None:
    """A delivery report of the SMS gateway for ``provider_id``: ``delivered`` True marks it
    delivered; False marks it failed and falls back to e-mail; None only records ``status``."""
    delivery = Delivery.objects.filter(channel=Channel.SMS, provider_id=provider_id).first()
    if delivery is None:
        return None
    with transaction.atomic():
        rows = Delivery.objects.filter(pk=delivery.pk)
        if delivered is True:
            rows.update(
                state=DeliveryState.DELIVERED,
                delivered_at=timezone.now(),
                provider_status=status[:100],
            )
        elif delivered is False:
            changed = rows.filter(
                Q(state=DeliveryState.SENT) | Q(state=DeliveryState.DELIVERED)
            ).update(
                state=DeliveryState.FAILED,
                provider_status=status[:100],
                last_error=f"delivery report: {status}"[:2000],
            )
            if changed:
                delivery.refresh_from_db()
                delivery_fallback(delivery=delivery, reason=status)
        else:
            rows.update(provider_status=status[:100])
    delivery.refresh_from_db()
    return delivery


def deliveries_cancel_held(*, notice_ids: list[int]) -> int:
    """Cancel the messages of closed notices that are still waiting (quiet hours, digest):
    a to-do done before morning sends nothing."""
    return Delivery.objects.filter(
        notice_id__in=notice_ids, state=DeliveryState.PENDING, due_at__gt=timezone.now()
    ).update(state=DeliveryState.CANCELLED)
