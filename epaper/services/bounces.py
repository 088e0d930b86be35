"""Bounces of the e-papers, read from the mailbox of the envelope sender (IMAP).

Every issue leaves with ``MAIL FROM`` = ``EPAPER_BOUNCE_ADDRESS``; the mail servers that cannot
deliver it send their delivery status notification (DSN) there. ``bounces_import_imap`` reads
the unseen messages (``BODY.PEEK``: nothing is flagged before it is processed), handles each in
its own transaction, then flags it ``\\Seen``. A crash in between is harmless: the bounce's own
``Message-ID`` is unique in ``Bounce``, so reading it again changes nothing.

Reading a bounce (``parse_bounce``):

- A DSN (RFC 3464, ``multipart/report; report-type=delivery-status``): the per-recipient
  ``Action``, ``Status`` (``5.1.1``), ``Diagnostic-Code`` and ``Final-Recipient``, and the
  returned message's ``Message-ID`` (its ``message/rfc822`` or ``text/rfc822-headers`` part).
  ``Action: delivered``, ``relayed`` or ``expanded`` is a success notice, not a bounce.
- Anything else from a mailer daemon or postmaster, or whose subject says it was undeliverable
  (the non-standard bounces some servers still send): the status code found in its text.
- The bounced message is found by its ``Message-ID`` (every delivery row has its own), looked for
  in the returned headers and, failing that, anywhere in the text; when there is none at all,
  by the failed recipient's address (that subscriber's latest sent delivery).
- Hard or soft: the status class (5 hard, 4 soft), else the SMTP reply code in the diagnostic
  (5xx, 4xx), else the action (``failed`` hard, ``delayed`` soft); soft when nothing says.

A message that is no bounce but has the subject ``unsubscribe <token>`` (the ``mailto:`` of
``List-Unsubscribe``, for mail programs without RFC 8058) leaves the token's newsletter, as the
one-click link does; anything else is ignored (and flagged seen).

Effects of a bounce (with the ``Bounce`` row, in one transaction):

- The delivery becomes ``bounced`` and the issue's ``bounced_count`` grows, once per delivery.
- A hard bounce disables the subscriber at once (state ``disabled``, ``disabled_at``): nothing
  more is sent to the address until it subscribes again.
- A soft bounce counts once per issue (several notices about one message count once) in
  ``Subscriber.soft_bounces``; ``EPAPER_SOFT_BOUNCE_LIMIT`` (default 3) soft-bounced issues in
  a row disable the address. The row is not broken by a later successful send: our relay's
  acceptance says nothing about the recipient's mailbox (there is no open tracking), and a
  soft bounce often arrives after the next issue was already handed over. The count starts
  again only when the address is re-enabled (by subscribing again, or by a manager).
"""

from __future__ import annotations

import email
import hashlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import (
    Bounce,
    BounceKind,
    DeliveryState,
    Issue,
    IssueDelivery,
    Subscriber,
    SubscriberState,
)
from . import links, subscriptions

logger = logging.getLogger("epaper.bounces")

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY = re.compile(r"\b([45])[0-5]\d\b")
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_SUBJECTS = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery failure|failure notice|"
    r"returned mail|mail delivery failed|delivery has failed|could not be delivered|"
    r"退信|無法傳遞|无法传递|傳送失敗|投遞失敗|未能送達",
    re.IGNORECASE,
)
_NOT_BOUNCES = {"delivered", "relayed", "expanded"}


@dataclass
class ParsedBounce:
    message_id: str
    bounced_message_ids: list[str] = field(default_factory=list)
    recipient: str = ""
    status: str = ""
    kind: str = BounceKind.SOFT
    reason: str = ""


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        inner = part.get_payload()
        return inner if isinstance(inner, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _own_id(raw: bytes, message: Message) -> str:
    value = " ".join(str(message.get("Message-ID") or "").split())
    if value and len(value) <= 255:
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _address(value: str) -> str:
    """``rfc822; someone@example.com`` → ``someone@example.com``."""
    value = str(value or "").split(";", 1)[-1].strip()
    return parseaddr(value)[1].strip().lower()


def _status_blocks(message: Message) -> list[Message]:
    blocks = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                blocks += [block for block in payload if isinstance(block, Message)]
            elif isinstance(payload, str):  # some servers send it unparsed
                blocks += [email.message_from_string(b) for b in re.split(r"\n\s*\n", payload)]
    return blocks


def _returned_ids(message: Message) -> list[str]:
    found = []
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                found.append(" ".join(str(inner["Message-ID"]).split()))
        elif ctype == "text/rfc822-headers":
            headers = email.message_from_string(_text(part))
            if headers.get("Message-ID"):
                found.append(" ".join(str(headers["Message-ID"]).split()))
    return found


def _kind(status: str, diagnostic: str, action: str) -> str:
    if status[:1] == "5":
        return BounceKind.HARD
    if status[:1] == "4":
        return BounceKind.SOFT
    code = _REPLY.search(diagnostic or "")
    if code:
        return BounceKind.HARD if code.group(1) == "5" else BounceKind.SOFT
    return BounceKind.HARD if action == "failed" else BounceKind.SOFT


def parse_bounce(raw: bytes) -> ParsedBounce | None:
    """What the message says about a failed delivery, or None when it is not a bounce."""
    message = email.message_from_bytes(raw)
    own = _own_id(raw, message)
    is_report = (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").lower() == "delivery-status"
    )
    blocks = _status_blocks(message)
    parsed = ParsedBounce(message_id=own)
    if is_report or blocks:
        recipients = [b for b in blocks if b.get("Action") or b.get("Final-Recipient")]
        failed = [
            b for b in recipients if str(b.get("Action", "")).strip().lower() not in _NOT_BOUNCES
        ]
        if recipients and not failed:
            return None  # a success notice
        block = failed[0] if failed else Message()
        action = str(block.get("Action", "")).strip().lower()
        match = _ENHANCED.search(str(block.get("Status", "")))
        parsed.status = match.group(0) if match else ""
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
        if parsed.status.startswith("2"):
            return None
        parsed.kind = _kind(parsed.status, diagnostic, action)
        parsed.recipient = _address(
            block.get("Final-Recipient", "") or block.get("Original-Recipient", "")
        )
        parsed.reason = diagnostic or action or "delivery failed"
    else:
        sender = parseaddr(str(message.get("From", "")))[1].lower()
        try:
            subject = str(make_header(decode_header(str(message.get("Subject", "")))))
        except (UnicodeError, LookupError, ValueError):
            subject = str(message.get("Subject", ""))
        if not (sender.split("@")[0] in _DAEMONS or _SUBJECTS.search(subject)):
            return None
        text = "\n".join(
            _text(part) for part in message.walk() if part.get_content_maintype() == "text"
        )
        match = _ENHANCED.search(text)
        parsed.status = match.group(0) if match and match.group(1) != "2" else ""
        parsed.kind = _kind(parsed.status, text, "failed" if parsed.status else "")
        recipients = [
            address
            for _name, address in getaddresses(
                [str(v) for v in message.get_all("X-Failed-Recipients", [])]
            )
        ]
        parsed.recipient = (recipients[0] if recipients else "").lower()
        parsed.reason = (subject or "delivery failed")[:500]
    ids = _returned_ids(message)
    if not ids:
        text = raw.decode("utf-8", "replace")
        ids = [value for value in _MESSAGE_ID.findall(text) if value != own]
    parsed.bounced_message_ids = list(dict.fromkeys(ids))
    return parsed


# --- Recording ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    bounce: Bounce | None = None
    created: bool = False
    ignored: bool = False
    disabled: bool = False
    unsubscribed: bool = False


def _delivery(parsed: ParsedBounce) -> IssueDelivery | None:
    if parsed.bounced_message_ids:
        return (
            IssueDelivery.objects.filter(message_id__in=parsed.bounced_message_ids)
            .order_by("-pk")
            .first()
        )
    if parsed.recipient:
        return (
            IssueDelivery.objects.filter(
                subscriber__email=parsed.recipient,
                state__in=[DeliveryState.SENT, DeliveryState.BOUNCED],
            )
            .order_by("-sent_at", "-pk")
            .first()
        )
    return None


def _apply(bounce: Bounce, delivery: IssueDelivery | None, now) -> bool:
    """The bounce's effect on the delivery, its issue and the subscriber; True when the
    subscriber was disabled by it."""
    if delivery is not None:
        changed = (
            IssueDelivery.objects.filter(pk=delivery.pk)
            .exclude(state=DeliveryState.BOUNCED)
            .update(state=DeliveryState.BOUNCED)
        )
        if changed:
            Issue.objects.filter(pk=delivery.issue_id).update(bounced_count=F("bounced_count") + 1)
    if bounce.subscriber_id is None:
        return False
    subscriber = Subscriber.objects.select_for_update().get(pk=bounce.subscriber_id)
    subscriber.last_bounce_at = now
    fields = ["last_bounce_at", "updated_at"]
    if bounce.kind == BounceKind.HARD:
        subscriber.hard_bounces += 1
        fields.append("hard_bounces")
        disable = True
    else:
        counted_before = (
            Bounce.objects.filter(
                subscriber_id=subscriber.pk, kind=BounceKind.SOFT, issue_id=bounce.issue_id
            )
            .exclude(pk=bounce.pk)
            .exists()
            if bounce.issue_id is not None
            else False
        )
        if not counted_before:
            subscriber.soft_bounces += 1
            fields.append("soft_bounces")
        disable = subscriber.soft_bounces >= settings.EPAPER_SOFT_BOUNCE_LIMIT
    disabled = False
    if disable and subscriber.state == SubscriberState.ACTIVE:
        subscriber.state = SubscriberState.DISABLED
        subscriber.disabled_at = now
        fields += ["state", "disabled_at"]
        disabled = True
    subscriber.save(update_fields=fields)
    if disabled:
        logger.info(
            "epaper: subscriber %s disabled after a %s bounce (%s)",
            subscriber.pk,
            bounce.kind,
            bounce.status,
        )
    return disabled


_UNSUBSCRIBE = re.compile(r"\bunsubscribe\s+([A-Za-z0-9_.:-]{10,})", re.IGNORECASE)


def _unsubscribe_request(raw: bytes) -> bool:
    """A mail to the ``mailto:`` of ``List-Unsubscribe`` (subject ``unsubscribe <token>``):
    the token's subscriber leaves the token's newsletter. True when it was one."""
    message = email.message_from_bytes(raw)
    try:
        subject = str(make_header(decode_header(str(message.get("Subject", "")))))
    except (UnicodeError, LookupError, ValueError):
        return False
    match = _UNSUBSCRIBE.search(subject)
    found = links.subscription_for_unsubscribe(match.group(1)) if match else None
    if found is None:
        return False
    subscriber, newsletter = found
    subscriptions.unsubscribe(subscriber=subscriber, newsletter=newsletter)
    logger.info("epaper: subscriber %s left %s by mail", subscriber.pk, newsletter.code)
    return True


def bounce_process(raw: bytes) -> Outcome:
    """Record one message of the bounce mailbox (a no-op for one already recorded and for a
    message that is neither a bounce nor an unsubscribe request)."""
    parsed = parse_bounce(raw)
    if parsed is None:
        if _unsubscribe_request(raw):
            return Outcome(unsubscribed=True)
        return Outcome(ignored=True)
    existing = Bounce.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return Outcome(bounce=existing)
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = _delivery(parsed)
            subscriber_id = delivery.subscriber_id if delivery else None
            if delivery is None and parsed.recipient and not parsed.bounced_message_ids:
                subscriber_id = (
                    Subscriber.objects.filter(email=parsed.recipient)
                    .values_list("pk", flat=True)
                    .first()
                )
            bounce = Bounce.objects.create(
                message_id=parsed.message_id[:255],
                bounced_message_id=(
                    delivery.message_id
                    if delivery
                    else (parsed.bounced_message_ids[:1] or [""])[0][:255]
                ),
                subscriber_id=subscriber_id,
                issue_id=delivery.issue_id if delivery else None,
                kind=parsed.kind,
                status=parsed.status[:20],
                reason=parsed.reason[:2000],
            )
            disabled = _apply(bounce, delivery, now)
    except IntegrityError:  # the same bounce recorded by a run at the same moment
        return Outcome(bounce=Bounce.objects.filter(message_id=parsed.message_id).first())
    return Outcome(bounce=bounce, created=True, disabled=disabled)


# --- Reading the mailbox ------------------------------------------------------------------------


@dataclass
class ImportResult:
    seen: int = 0
    bounces: int = 0
    ignored: int = 0
    disabled: int = 0
    unsubscribed: int = 0


def bounces_import_imap(
    *,
    host: str,
    port: int,
    user: str,
    password: str,
    mailbox: str = "INBOX",
    use_ssl: bool = True,
    search: str = "UNSEEN",
    timeout: float = 30,
) -> ImportResult:
    """Read the mailbox's ``search`` messages (default the unseen ones), record each, then
    flag it seen."""
    result = ImportResult()
    cls = imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4
    conn = cls(host, port, timeout=timeout)
    try:
        conn.login(user, password)
        typ, _data = conn.select(mailbox)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {mailbox}")
        typ, data = conn.uid("SEARCH", None, search)
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        for uid in uids:
            typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (item[1] for item in fetched or [] if isinstance(item, tuple) and len(item) > 1),
                None,
            )
            if typ != "OK" or raw is None:
                continue
            outcome = bounce_process(raw)
            result.seen += 1
            result.bounces += int(outcome.created)
            result.ignored += int(outcome.ignored)
            result.disabled += int(outcome.disabled)
            result.unsubscribed += int(outcome.unsubscribed)
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            conn.logout()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection
            pass
    if result.seen:
        logger.info("epaper bounces: %s", result)
    return result


def bounces_import_configured() -> ImportResult:
    """What the periodic job runs: the EPAPER_BOUNCE_IMAP_* mailbox (nothing when unset)."""
    if not settings.EPAPER_BOUNCE_IMAP_HOST:
        return ImportResult()
    return bounces_import_imap(
        host=settings.EPAPER_BOUNCE_IMAP_HOST,
        port=settings.EPAPER_BOUNCE_IMAP_PORT,
        user=settings.EPAPER_BOUNCE_IMAP_USER,
        password=settings.EPAPER_BOUNCE_IMAP_PASSWORD,
        mailbox=settings.EPAPER_BOUNCE_IMAP_MAILBOX,
        use_ssl=settings.EPAPER_BOUNCE_IMAP_SSL,
    )
