"""The one outbox: every e-mail and SMS the portal sends is a ``Delivery`` row.

Writing (inside the caller's transaction):

- ``outbox_email(to=, subject=, text=, html=, message_id=, reply_to=, headers=, source=,
  kind=, sensitive=, due_at=)`` and ``outbox_sms(to=, text=, source=, kind=,
  fallback_email=)`` write the row and, when the caller's transaction commits, enqueue the
  relay task for it. Nothing is sent inside the transaction; a rollback leaves nothing.
  If the broker is down at commit the request still succeeds: the periodic sweep
  (``deliveries_relay``) sends every row that is due and unsent.

Sending (``deliveries_send(delivery_ids=)`` from the task, ``deliveries_relay()`` the sweep,
``delivery_send(delivery_id=)`` for one row), a chunk of up to ``RELAY_CHUNK`` rows at a time:

1. **claim**: one conditional statement, ``WITH picked AS (SELECT id … WHERE [id IN (…) AND]
   state='pending' AND due_at<=now … LIMIT n FOR UPDATE SKIP LOCKED) UPDATE … SET
   state='sending', claim_token=<new>, lease_until=now+lease, attempts=attempts+1 FROM picked
   WHERE … AND state='pending' RETURNING id``
   (PostgreSQL; elsewhere a select and the same conditional update). Only one claim matches
   a row, so two workers, a re-delivered task or a re-run sweep never send a row twice; the
   whole chunk shares the one token.
2. **send** each row outside any transaction, one after the other (e-mail over the one reused
   SMTP connection, written by ``email_bytes``; SMS through the gateway), on a thread of its
   own (``_Sender``) while the task's thread claims the next chunk and marks the last one;
   that thread never touches the database. Each row has its own outcome: a refused recipient
   (5xx) fails that row only and the connection goes on.
3. **mark** in one transaction per chunk (and at least every ``MARK_EVERY_SECONDS``): the sent
   rows with one ``UPDATE … WHERE id IN (…) AND claim_token=<ours>`` (sensitive ones lose
   their text and HTML), every attempt row with one ``INSERT``. On a temporary error a row
   goes back to ``pending`` with ``due_at`` = now + backoff (``base·2^(n-1)``, capped, with
   jitter) until ``NOTIFICATIONS_MAX_ATTEMPTS``; then ``failed``. A permanent error fails at
   once. A failed SMS with a person behind it (or a ``fallback_email``) gets an e-mail
   instead. Claimed rows a run did not get to (time is up) go back to ``pending`` at once.

A worker that dies between 1 and 3 leaves its rows ``sending``; once ``lease_until`` has passed
the sweep puts them back to ``pending`` and they are sent again. The lease
(``NOTIFICATIONS_CLAIM_LEASE_SECONDS``) is longer than the task's hard time limit, so a live
worker is always stopped before its claim can be taken over. The one window nobody can close
is a provider that accepted messages since the last mark just before the worker died (those
of the last ``MARK_EVERY_SECONDS``, at most a chunk and a half): the resend then carries
the same ``Message-ID`` (SMS: the same Mitake ``clientid``, which Mitake drops for 12 hours),
so mail clients and the gateway see one message.
"""

from __future__ import annotations

import base64
import functools
import itertools
import logging
import queue
import random
import re
import smtplib
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import quoprimime
from email.header import Header
from email.utils import formatdate, getaddresses

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import (
    ADDRESS_HEADERS,
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    sanitize_address,
)
from django.core.validators import validate_email
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from core import ratelimit

from .. import sms
from ..choices import AttemptOutcome, Channel, DeliveryState
from ..constants import RELAY_CHUNK, RELAY_QUEUED_KEY, RELAY_QUEUED_SECONDS, TASK_DELIVER
from ..models import Delivery, DeliveryAttachment, DeliveryAttempt
from .rendering import text_to_html

logger = logging.getLogger("notifications.outbox")

NL = "\n"
#: A chunk being sent is marked at least this often (seconds): a worker that dies mid-chunk
#: leaves only what it sent since then to be sent again.
MARK_EVERY_SECONDS = 0.5


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


_redis: dict = {}


def cache_redis() -> tuple[object, object] | None:
    """``(backend, client)``: a Redis client on the default cache's own connection pool, made
    once per process (making one per call, as the cache does, costs as much as the round
    trip); None when the cache is not Redis."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    if _redis.get("backend") is not backend:
        _redis.update(backend=backend, client=backend._cache.get_client(write=True))
    return backend, _redis["client"]


#: Seconds publishing is not tried again after the broker failed (a process-local breaker:
#: during an outage a request waits for one broker timeout, not one per commit; the sweep
#: sends what was not published).
PUBLISH_RETRY_SECONDS = 30
_broker = {"down_until": 0.0}


def _relay_flag_take() -> bool:
    """True when no relay task is known to be queued and not started yet: the caller
    publishes one (and the flag now says so). A cache outage answers True (and, through
    ``core.ratelimit``'s breaker, the cache is not asked again for a few seconds)."""
    if ratelimit.cache_down():
        return True
    try:
        redis = cache_redis()
        if redis is None:
            return bool(cache.add(RELAY_QUEUED_KEY, 1, timeout=RELAY_QUEUED_SECONDS))
        backend, client = redis
        key = backend.make_and_validate_key(RELAY_QUEUED_KEY)
        return bool(client.set(key, 1, nx=True, ex=RELAY_QUEUED_SECONDS))
    except Exception:  # noqa: BLE001 - no cache: publish as if alone
        ratelimit.open_breaker()
        logger.debug("outbox: the relay flag is unreachable", exc_info=True)
        return True


def relay_flag_clear() -> None:
    """A relay task starts (or could not be published): the next commit publishes again."""
    if ratelimit.cache_down():
        return
    try:
        cache.delete(RELAY_QUEUED_KEY)
    except Exception:  # noqa: BLE001 - the flag expires by itself
        ratelimit.open_breaker()
        logger.debug("outbox: could not clear the relay flag", exc_info=True)


def _publish(ids: list[int], *, always: bool = False) -> None:
    """Hand ids to the relay task; a broker error is logged, not raised (the sweep sends).

    A few rows (one chunk) are not published while another relay task is queued and has not
    started: that task drains every due row when it starts, these included (it clears the
    flag first, so a row committed after that is published again). A burst of requests
    then costs one cache ``SET NX`` each instead of one task each. More rows than a chunk
    are always published, a task per chunk, so that several workers share them."""
    if time.monotonic() < _broker["down_until"] and not current_app.conf.task_always_eager:
        logger.info("outbox: broker down lately; the sweep sends %s deliveries", len(ids))
        return
    alone = _relay_flag_take() if len(ids) <= RELAY_CHUNK else True
    if not (alone or always):
        return
    task = current_app.tasks[TASK_DELIVER]
    for start in range(0, max(len(ids), 1), RELAY_CHUNK):
        chunk = ids[start : start + RELAY_CHUNK]
        try:
            task.apply_async(kwargs={"delivery_ids": chunk}, ignore_result=True)
        except Exception:  # noqa: BLE001 - the database row is the record; the sweep relays it
            _broker["down_until"] = time.monotonic() + PUBLISH_RETRY_SECONDS
            relay_flag_clear()
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
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Delivery:
    """Record one e-mail to ``to`` (a person or any address, e.g. a citizen) and relay it
    after commit.

    ``text`` is the plain part; ``html`` the HTML part (default: built from ``text``).
    ``message_id`` (``<…@…>``) is generated when not given and stays the row's for every
    resend. ``headers`` are added as they are (e.g. ``In-Reply-To``); ``List-Id``,
    ``Auto-Submitted`` and ``Message-ID`` are set by the outbox. ``source`` is any model
    instance the mail is about (kept as a generic link: ``deliveries_for(source)``).
    ``sensitive`` rows lose their text and HTML once sent (confirmation links, codes).
    ``due_at`` holds the mail until then. ``attachments`` are ``(file name, bytes, content
    type)``, stored through Django's storage (``DeliveryAttachment``) and sent with every
    try; a mail with attachments is built by Django's ``EmailMessage`` (not the direct SMTP
    writer). Raises ``ValidationError`` for a bad address.
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
        has_attachments=bool(attachments),
        message_id=message_id or new_message_id(),
        due_at=due_at or timezone.now(),
        notice=notice,
        **_source_fields(source),
    )
    delivery.save()
    for filename, content, content_type in attachments or ():
        name = " ".join(str(filename).split())[:150] or "attachment"
        attachment = DeliveryAttachment(
            delivery=delivery, filename=name, content_type=content_type, size=len(content)
        )
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()
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


# --- Claiming -------------------------------------------------------------------------------

# The pick is a materialised CTE, run once: as ``WHERE id IN (SELECT … LIMIT n FOR UPDATE
# SKIP LOCKED)`` PostgreSQL may rescan the subquery for every row it updates, each rescan
# skipping the rows just claimed and locking the next ones, until every due row is claimed.
_CLAIM_SQL = """
WITH picked AS MATERIALIZED (
    SELECT {pk} FROM {table}
    WHERE {where} {state} = %s AND {due} <= %s
    ORDER BY {due}, {pk} LIMIT %s
    FOR UPDATE SKIP LOCKED
)
UPDATE {table} SET {state} = %s, {token} = %s, {lease} = %s, {attempts} = {attempts} + 1
FROM picked WHERE {table}.{pk} = picked.{pk} AND {table}.{state} = %s
RETURNING {table}.{pk}
"""


def _claim_sql(*, by_ids: bool) -> str:
    quote = db_connection.ops.quote_name
    opts = Delivery._meta
    columns = {
        name: quote(opts.get_field(field).column)
        for name, field in {
            "state": "state",
            "token": "claim_token",
            "lease": "lease_until",
            "attempts": "attempts",
            "due": "due_at",
            "pk": "id",
        }.items()
    }
    where = f"{columns['pk']} = ANY(%s) AND" if by_ids else ""
    return _CLAIM_SQL.format(table=quote(opts.db_table), where=where, **columns)


def _claim_chunk(*, ids: list[int] | None = None, limit: int = RELAY_CHUNK):
    """Claim at most ``limit`` due, pending rows (of ``ids``, or the oldest due ones) with one
    new token: ``(rows, token)``, rows oldest first. One conditional statement on PostgreSQL
    (``WITH picked AS (SELECT … FOR UPDATE SKIP LOCKED) UPDATE … RETURNING id``: two workers
    never wait for each other and never get the same row); elsewhere a select and the same
    conditional update. Then one select of the rows the token got."""
    token = uuid.uuid4().hex
    if ids is not None and not ids:
        return [], token
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    if ids is not None:
        limit = len(ids)
    if db_connection.vendor == "postgresql":
        params = [list(ids)] if ids is not None else []
        params += [DeliveryState.PENDING, now, limit]
        params += [DeliveryState.SENDING, token, lease_until, DeliveryState.PENDING]
        with db_connection.cursor() as cursor:
            cursor.execute(_claim_sql(by_ids=ids is not None), params)
            picked = [pk for (pk,) in cursor.fetchall()]
    else:
        due = Delivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        picked = list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:limit])
        if picked:
            Delivery.objects.filter(
                pk__in=picked, state=DeliveryState.PENDING, due_at__lte=now
            ).update(
                state=DeliveryState.SENDING,
                claim_token=token,
                lease_until=lease_until,
                attempts=F("attempts") + 1,
            )
    if not picked:
        return [], token
    rows = list(
        Delivery.objects.filter(
            pk__in=picked, claim_token=token, state=DeliveryState.SENDING
        ).order_by("due_at", "pk")
    )
    with_files = [row for row in rows if row.has_attachments]
    if with_files:
        prefetch_related_objects(with_files, "attachments")
    return rows, token


def _claim(delivery_id: int) -> tuple[Delivery | None, str]:
    """Claim one row: ``(row or None, token)``."""
    rows, token = _claim_chunk(ids=[delivery_id])
    return (rows[0] if rows else None), token


# --- Building mail --------------------------------------------------------------------------

# One SMTP connection per worker process, reused between messages and chunks (a new TCP and
# SMTP handshake per mail costs more than the mail). Reopened once when the server dropped it.
_smtp: dict = {"connection": None, "key": None}


def _connection_key() -> tuple:
    return (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)


def _from_email() -> str:
    return settings.NOTIFICATIONS_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def _extra_headers(delivery: Delivery) -> dict[str, str]:
    headers = {
        "Message-ID": delivery.message_id,
        "List-Id": list_id(delivery),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        **{str(k): str(v) for k, v in (delivery.headers or {}).items()},
    }
    if settings.NOTIFICATIONS_BOUNCE_ADDRESS:
        # The envelope sender: bounces go to the address whose mailbox the intake reads.
        headers.setdefault("Return-Path", settings.NOTIFICATIONS_BOUNCE_ADDRESS)
    return headers


def _email_message(delivery: Delivery) -> EmailMultiAlternatives:
    """The delivery as Django's message (for mail backends other than Django's SMTP one)."""
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text,
        from_email=_from_email(),
        to=[delivery.to],
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
        headers=_extra_headers(delivery),
    )
    message.attach_alternative(delivery.html or text_to_html(delivery.text), "text/html")
    if delivery.has_attachments:
        # Prefetched by the claim: the sending thread never queries the database.
        for attachment in delivery.attachments.all():
            with attachment.file.open("rb") as f:
                message.attach(attachment.filename, f.read(), attachment.content_type)
    return message


def list_id(delivery: Delivery) -> str:
    """``List-Id`` of a delivery: one list per source app, so people can filter
    (``<documents.notices.example>``); RFC 2919."""
    app = (delivery.kind.split(".", 1)[0] or "portal").lower()
    return f"<{app}.{settings.NOTIFICATIONS_LIST_ID_DOMAIN}>"


# A plain addr-spec (dot-atom local part, ASCII domain): what ``sanitize_address`` returns
# unchanged, without its header parser (which costs more than sending the mail).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def _envelope_address(address: str) -> str:
    """``address`` as Django's SMTP backend gives it to the server (``sanitize_address``)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, "utf-8")


@functools.cache
def _envelope_sender(from_email: str) -> str:
    return sanitize_address(from_email, "utf-8")


def _header(name: str, value) -> str:
    """One header line (folded with ``\\n ``) as Django writes it: no line breaks in values
    (``BadHeaderError``), non-ASCII as RFC 2047 encoded words, addresses sanitised."""
    value = str(value)
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name!r})")
    if not value.isascii():
        if name.lower() in ADDRESS_HEADERS:
            value = ", ".join(sanitize_address(a, "utf-8") for a in getaddresses((value,)))
        else:
            return f"{name}: {_encoded_words(value)}"
    if len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}"
    return f"{name}: {Header(value, header_name=name).encode(linesep=NL)}"


def _encoded_words(value: str) -> str:
    """``value`` as RFC 2047 encoded words (UTF-8, base64), one per folded line: at most 42
    bytes each, never splitting a character, so that ``Subject: `` and a word fit in 78
    characters. (``email.header.Header`` does the same at several times the cost.)"""
    words, chunk, size = [], [], 0
    for char in value:
        width = len(char.encode("utf-8", "surrogateescape"))
        if size + width > 42 and chunk:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return f"{NL} ".join(
        f"=?utf-8?b?{base64.b64encode(word.encode('utf-8', 'surrogateescape')).decode()}?="
        for word in words
    )


def _text_part(subtype: str, body: str) -> str:
    """A ``text/<subtype>`` part in UTF-8: 7bit or 8bit, quoted-printable when a line is
    longer than SMTP allows (as Django does)."""
    body = body.replace("\r\n", NL).replace("\r", NL)
    long_lines = any(
        len(line.encode("utf-8", "surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in body.splitlines()
    )
    if long_lines:
        encoding = "quoted-printable"
        body = quoprimime.body_encode(body.encode("utf-8", "surrogateescape").decode("latin-1"))
    else:
        encoding = "7bit" if body.isascii() else "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{NL}'
        f"Content-Transfer-Encoding: {encoding}{NL}{NL}{body}"
    )


def email_bytes(delivery: Delivery) -> tuple[str, list[str], bytes]:
    """``(envelope sender, [recipient], message)`` of an e-mail delivery, ready for
    ``smtplib.SMTP.sendmail``: the message Django would build (``_email_message``: the same
    headers, a ``multipart/alternative`` of the text and HTML parts), written directly — the
    ``email`` package's generator costs as much per message as handing it to a local server.
    Raises ``ValueError`` (``BadHeaderError``) when it cannot be built."""
    extra = _extra_headers(delivery)
    from_email = _from_email()
    text = delivery.text
    html = delivery.html or text_to_html(text)
    boundary = "=" * 15 + uuid.uuid4().hex + "=="
    while boundary in text or boundary in html:  # pragma: no cover - 128 random bits
        boundary = "=" * 15 + uuid.uuid4().hex + "=="
    lines = [
        f'Content-Type: multipart/alternative;{NL} boundary="{boundary}"',
        "MIME-Version: 1.0",
        _header("Subject", delivery.subject),
        _header("From", extra.get("From", from_email)),
        _header("To", extra.get("To", delivery.to)),
    ]
    reply_to = extra.get("Reply-To", delivery.reply_to)
    if reply_to:
        lines.append(_header("Reply-To", reply_to))
    if "date" not in {name.lower() for name in extra}:
        lines.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    lines += [
        _header(name, value)
        for name, value in extra.items()
        if name.lower() not in {"from", "to", "cc", "reply-to"}
    ]
    message = NL.join(
        [
            *lines,
            "",
            f"--{boundary}",
            _text_part("plain", text),
            f"--{boundary}",
            _text_part("html", html),
            f"--{boundary}--",
            "",
        ]
    )
    data = message.replace(NL, "\r\n").encode("utf-8", "surrogateescape")
    return _envelope_sender(from_email), [_envelope_address(delivery.to)], data


# --- Sending --------------------------------------------------------------------------------


class PermanentError(Exception):
    """The provider refused the message for good."""


class _Stop(Exception):
    """Stop the chunk after this row (the task's soft time limit)."""


def backoff_seconds(attempt: int) -> float:
    """Seconds before try ``attempt + 1``: ``base · 2^(attempt-1)``, at most the cap, with
    up to 10 % jitter so a burst of failures does not retry in lockstep."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    delay = min(base * (2 ** max(attempt - 1, 0)), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return delay * (1 + random.random() * 0.1)  # noqa: S311 - jitter, not a secret


def _smtp_connection():
    if _smtp["key"] != _connection_key():
        _smtp_close()
    connection = _smtp["connection"]
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _smtp["connection"], _smtp["key"] = connection, _connection_key()
    return connection


def _send_email(delivery: Delivery) -> str:
    built = None
    for attempt in (1, 2):
        connection = _smtp_connection()
        direct = (
            type(connection) is SmtpBackend
            and connection.connection is not None
            and not delivery.has_attachments
        )
        if direct and built is None:
            try:
                built = email_bytes(delivery)
            except ValueError as exc:
                raise PermanentError(f"the message cannot be built: {exc}") from exc
        try:
            if direct:
                sender, [recipient], data = built
                _smtp_sendmail(connection.connection, sender, recipient, data)
            else:
                message = _email_message(delivery)
                message.connection = connection
                connection.send_messages([message])
            return ""
        except smtplib.SMTPServerDisconnected:
            _smtp_close()
            if attempt == 2:
                raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                # smtplib has reset the transaction: the connection serves the next row.
                raise PermanentError(f"recipient refused: {exc.recipients}") from exc
            _smtp_close()
            raise
        except Exception:
            _smtp_close()
            raise
    return ""  # pragma: no cover


@functools.lru_cache(maxsize=64)
def _quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


def _smtp_abort(smtp: smtplib.SMTP, code: int) -> None:
    """What ``sendmail`` does after a refusal: 421 closes, anything else resets."""
    if code == 421:
        smtp.close()
    else:
        smtp._rset()


def _smtp_sendmail(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """``smtp.sendmail(sender, [recipient], data)`` step for step (the same commands, replies
    and exceptions), but the envelope sender is quoted once per process and a plain
    recipient without a parse: ``smtplib`` parses both addresses of every message with the
    ``email`` package's address parser, which costs more than writing the message."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:{_quoted(sender)}{options}")
    code, reply = smtp.getreply()
    if code != 250:
        _smtp_abort(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    quoted = f"<{recipient}>" if _PLAIN_ADDRESS.fullmatch(recipient) else _quoted(recipient)
    smtp.putcmd("rcpt", f"TO:{quoted}")
    code, reply = smtp.getreply()
    if code not in (250, 251):
        _smtp_abort(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.data(data)
    if code != 250:
        _smtp_abort(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


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


@dataclass
class _Tried:
    """What one send of a claimed row came to (written to the row by ``_record``)."""

    delivery: Delivery
    started: datetime
    outcome: str
    provider_id: str = ""
    error: str = ""


def _send_one(delivery: Delivery) -> _Tried:
    started = timezone.now()
    try:
        if delivery.channel == Channel.EMAIL:
            provider_id, duplicate = _send_email(delivery), False
        else:
            provider_id, duplicate = _send_sms(delivery)
    except PermanentError as exc:
        return _Tried(delivery, started, AttemptOutcome.FAILED, error=str(exc))
    except SoftTimeLimitExceeded as exc:
        # Stopped mid-send: whether the provider has it is unknown; resent later (same id).
        raise _Stop(_Tried(delivery, started, AttemptOutcome.RETRY, error="stopped")) from exc
    except Exception as exc:  # noqa: BLE001 - every provider error is recorded and retried
        last = delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        outcome = AttemptOutcome.FAILED if last else AttemptOutcome.RETRY
        return _Tried(delivery, started, outcome, error=str(exc) or type(exc).__name__)
    outcome = AttemptOutcome.DUPLICATE if duplicate else AttemptOutcome.SENT
    return _Tried(delivery, started, outcome, provider_id=provider_id[:100])


def _record(tried: list[_Tried], token: str) -> int:
    """Mark what was tried, in one transaction: the sent rows with one ``UPDATE`` (per
    provider id and sensitivity), each retry and failure on its own row, every attempt row
    with one ``INSERT``; failed SMS fall back to e-mail. Only rows still claimed with
    ``token`` change. Returns how many were handed to the provider."""
    if not tried:
        return 0
    now = timezone.now()
    mine = Delivery.objects.filter(claim_token=token, state=DeliveryState.SENDING)
    sent: dict[tuple[str, bool], list[int]] = defaultdict(list)
    fell_back = []
    with transaction.atomic():
        for item in tried:
            delivery = item.delivery
            if item.outcome in (AttemptOutcome.SENT, AttemptOutcome.DUPLICATE):
                sent[(item.provider_id, delivery.sensitive)].append(delivery.pk)
            elif item.outcome == AttemptOutcome.RETRY:
                mine.filter(pk=delivery.pk).update(
                    state=DeliveryState.PENDING,
                    due_at=now + timedelta(seconds=backoff_seconds(delivery.attempts)),
                    last_error=item.error[:2000],
                    lease_until=None,
                )
            elif mine.filter(pk=delivery.pk).update(
                state=DeliveryState.FAILED, last_error=item.error[:2000], lease_until=None
            ):
                fell_back.append(item)
        for (provider_id, sensitive), pks in sent.items():
            done = {
                "state": DeliveryState.SENT,
                "sent_at": now,
                "lease_until": None,
                "provider_id": provider_id,
                "last_error": "",
            }
            if sensitive:
                done.update(text="", html="")
            mine.filter(pk__in=pks).update(**done)
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery_id=item.delivery.pk,
                    number=item.delivery.attempts,
                    started_at=item.started,
                    outcome=item.outcome,
                    provider_id=item.provider_id,
                    error=item.error[:2000],
                )
                for item in tried
            ]
        )
        for item in fell_back:
            delivery_fallback(delivery=item.delivery, reason=item.error)
    for item in tried:
        if item.outcome == AttemptOutcome.RETRY:
            logger.info(
                "outbox: delivery %s attempt %s failed, retried later: %s",
                item.delivery.pk,
                item.delivery.attempts,
                item.error,
            )
        elif item.outcome == AttemptOutcome.FAILED:
            logger.warning("outbox: delivery %s failed for good: %s", item.delivery.pk, item.error)
    return sum(len(pks) for pks in sent.values())


def _release(pks: list[int], token: str) -> None:
    """Claimed rows this run never tried go back to ``pending`` at once, their attempt not
    counted (rather than waiting for the lease to run out)."""
    if pks:
        Delivery.objects.filter(pk__in=pks, claim_token=token, state=DeliveryState.SENDING).update(
            state=DeliveryState.PENDING, lease_until=None, attempts=F("attempts") - 1
        )


def _send_claimed(rows: list[Delivery], token: str, *, deadline: float | None = None) -> int:
    """Send a claimed chunk one after the other over the one SMTP connection, marking what
    was sent at least every ``MARK_EVERY_SECONDS`` (so a crash resends few). Past
    ``deadline`` (``time.monotonic()``) the untried rest is released. Returns how many were
    handed to the provider."""
    tried: list[_Tried] = []
    done: set[int] = set()
    sent = 0
    marked_at = time.monotonic()
    # Half the lease at most: whatever happens, the chunk is marked or released long before
    # another worker may take the claim over.
    lease_end = marked_at + settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS / 2
    deadline = lease_end if deadline is None else min(deadline, lease_end)
    try:
        for delivery in rows:
            if time.monotonic() > deadline:
                break
            try:
                tried.append(_send_one(delivery))
            except _Stop as stop:
                tried.append(stop.args[0])
                raise SoftTimeLimitExceeded() from stop
            finally:
                done.add(delivery.pk)
            if time.monotonic() - marked_at >= MARK_EVERY_SECONDS:
                sent += _record(tried, token)
                tried = []
                marked_at = time.monotonic()
    finally:
        sent += _record(tried, token)
        _release([row.pk for row in rows if row.pk not in done], token)
    return sent


def delivery_send(*, delivery_id: int) -> bool:
    """Claim, send and mark one delivery (see the module docstring). True when this call
    handed it to the provider; False when there was nothing to do (unknown, not due, already
    claimed, sent or failed) or it failed. Errors are recorded on the row, never raised."""
    rows, token = _claim_chunk(ids=[delivery_id])
    return bool(rows) and _send_claimed(rows, token) == 1


class _Sender:
    """A thread that sends claimed rows one after the other (``_send_one``: over the worker's
    one SMTP connection, or the SMS gateway) while the caller's thread claims the next chunk
    and marks what was sent: the database's time hides behind the provider's. It never
    touches the database. Each job is answered on ``results``: ``(token, row, tried)``, tried
    None for a row it did not try (stopping, or past the job's ``not_after``), a ``_Stop`` for
    a send stopped by the soft time limit. ``wake`` is set after the jobs marked so (half way
    through a chunk and its last row), not after every row: the caller's thread then wakes a
    few times per chunk, not once per message."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            token, row, not_after, wake = job
            if self.stopping.is_set() or time.monotonic() > not_after:
                tried = None
            else:
                try:
                    tried = _send_one(row)
                except _Stop as stop:
                    tried = stop
                    self.stopping.set()  # the rest comes back untried
                    wake = True
                except BaseException as exc:  # noqa: BLE001 - reported as that row's error
                    tried = _Tried(row, timezone.now(), AttemptOutcome.RETRY, error=repr(exc))
            self.results.put((token, row, tried))
            if wake:
                self.wake.set()


def _send_chunks(claims, *, deadline: float | None) -> tuple[int, int, bool]:
    """Send the chunks ``claims`` yields (``(rows, token)``, claimed lazily: the next one
    while the sender is still busy with this one) until it is exhausted or ``deadline``
    passed: ``(claimed, sent, finished)``. Marks each chunk when it is done, and what was sent
    at least every ``MARK_EVERY_SECONDS``; rows not tried (time is up, or half their lease
    has passed) are released."""
    sender = _Sender()
    lease = settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS / 2
    waiting: dict[str, set[int]] = {}  # token -> rows handed to the sender, not answered yet
    tried: dict[str, list[_Tried]] = defaultdict(list)
    untried: dict[str, list[int]] = defaultdict(list)
    claimed = sent = 0
    exhausted = finished = False
    marked_at = time.monotonic()

    def mark(*, all_: bool) -> int:
        count = 0
        for token in list(tried.keys() | untried.keys()):
            if all_ or not waiting.get(token):
                count += _record(tried[token], token)
                del tried[token]
                _release(untried.pop(token, []), token)
        return count

    def collect(*, stop: bool = True) -> None:
        """Take in every answer so far (a ``_Stop`` raises the soft time limit, if ``stop``)."""
        while True:
            try:
                token, row, result = sender.results.get_nowait()
            except queue.Empty:
                return
            waiting[token].discard(row.pk)
            if result is None:
                untried[token].append(row.pk)
            elif isinstance(result, _Stop):
                tried[token].append(result.args[0])
                if stop:
                    raise SoftTimeLimitExceeded() from result
            else:
                tried[token].append(result)

    try:
        while True:
            queued = sum(len(pks) for pks in waiting.values())
            if not exhausted and queued <= RELAY_CHUNK // 2:
                if deadline is not None and time.monotonic() > deadline:
                    exhausted = True
                else:
                    rows, token = next(claims, ([], None))
                    if token is None:
                        exhausted = finished = True
                    elif rows:
                        claimed += len(rows)
                        waiting[token] = {row.pk for row in rows}
                        not_after = time.monotonic() + lease
                        if deadline is not None:
                            not_after = min(not_after, deadline)
                        wakes = {len(rows) // 2, len(rows) - 1}
                        for index, row in enumerate(rows):
                            sender.jobs.put((token, row, not_after, index in wakes))
                        continue
                    continue
            if not queued:
                break
            sender.wake.wait(timeout=MARK_EVERY_SECONDS)
            sender.wake.clear()
            collect()
            if not sender.thread.is_alive():  # pragma: no cover - it answers every job
                break
            every = time.monotonic() - marked_at >= MARK_EVERY_SECONDS
            if every or any(not pks for pks in waiting.values()):
                sent += mark(all_=every)
                waiting = {token: pks for token, pks in waiting.items() if pks}
                if every:
                    marked_at = time.monotonic()
    finally:
        sender.stopping.set()
        sender.jobs.put(None)
        sender.thread.join()  # the send in flight ends; the rest comes back untried
        collect(stop=False)
        sent += mark(all_=True)
    return claimed, sent, finished


def _id_chunks(ids: list[int]):
    for start in range(0, len(ids), RELAY_CHUNK):
        yield _claim_chunk(ids=ids[start : start + RELAY_CHUNK])


def _due_chunks(limit: int | None):
    claimed = 0
    while limit is None or claimed < limit:
        size = RELAY_CHUNK if limit is None else min(RELAY_CHUNK, limit - claimed)
        rows, token = _claim_chunk(limit=size)
        if not rows:
            return
        claimed += len(rows)
        yield rows, token


def deliveries_send(
    *, delivery_ids: list[int], drain: bool = False, seconds: float | None = None
) -> int:
    """Send the rows ``delivery_ids`` in chunks of ``RELAY_CHUNK``: one claim statement, one
    SMTP connection and one mark per chunk; rows not due, claimed elsewhere or done are
    skipped. ``drain``: then go on with whatever else is due, oldest first (a burst of
    relay tasks, one per request, is sent by the first; the rest find nothing). ``seconds``
    bounds the work (claimed rows left untried then are released). Returns how many were
    handed to the provider."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    chunks = _id_chunks(list(dict.fromkeys(delivery_ids)))
    if drain:
        chunks = itertools.chain(chunks, _due_chunks(None))
    _claimed, sent, finished = _send_chunks(chunks, deadline=deadline)
    if drain and not finished:  # out of time with rows still due: another task goes on
        _publish([], always=True)
    return sent


def _drain(*, limit: int | None, deadline: float | None) -> tuple[int, int, bool]:
    """Claim and send due rows chunk by chunk until none is left, ``limit`` rows were claimed
    or ``deadline`` passed: ``(claimed, sent, finished)``, finished False when time ran out
    (rows may still be due)."""
    return _send_chunks(_due_chunks(limit), deadline=deadline)


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


def deliveries_relay(*, limit: int | None = None, seconds: float | None = None) -> dict:
    """The sweep: put back claims whose lease ran out, then claim and send the due, pending
    rows in chunks (oldest first, at most ``limit``, for at most ``seconds``). Safe to run
    anywhere, any number of times at once: each chunk is claimed by one statement, and no
    two claims share a row. Returns counts (``due``: the rows this run claimed)."""
    now = timezone.now()
    released = Delivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=now).update(
        state=DeliveryState.PENDING, lease_until=None
    )
    limit = limit or settings.NOTIFICATIONS_RELAY_BATCH
    deadline = time.monotonic() + seconds if seconds is not None else None
    claimed, sent, _finished = _drain(limit=limit, deadline=deadline)
    return {"released": released, "due": claimed, "sent": sent}


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
