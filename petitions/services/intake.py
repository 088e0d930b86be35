"""E-mail intake: IMAP mailbox and a folder of ``.eml`` files → cases, citizen replies, bounces
and a manual-assignment queue. Rules are documented in petitions/README.md (Intake).

Each message is handled in one transaction (the ``InboundMessage`` row, the case, its number,
attachments and document registration commit together); new cases are opened and registered
through ``services.cases`` as the system (``actor=None``)."""

from __future__ import annotations

import email
import hashlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts import authz

from .. import roles
from ..choices import PetitionSource
from ..models import InboundMessage, InboundState, Petition
from ..selectors.staff import attach_targets
from .attachments import mail_attachments_save
from .cases import petition_open_from_mail, petition_register_confirmed, received_mail_queue
from .mail import mail_bounced, petition_for_message_ids, petition_for_token, reply_token_in

logger = logging.getLogger(__name__)

# Charsets whose Python codec is narrower than what mailers actually send.
CHARSET_ALIASES = {
    "big5": "cp950",
    "x-big5": "cp950",
    "big-5": "cp950",
    "cn-big5": "cp950",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
}

PRESIDENT_MARKERS = ("總統府人民陳情", "總統府民意信箱", "總統信箱")
PREMIER_MARKERS = ("行政院院長信箱", "行政院民意信箱", "行政院人民陳情")
PRESIDENT_DOMAINS = ("president.gov.tw",)
PREMIER_DOMAINS = ("ey.gov.tw",)
NAME_LABELS = ("陳情人姓名", "陳情人", "姓名", "Name")
EMAIL_LABELS = ("電子信箱", "電子郵件", "E-mail", "Email")
REPLY_SUBJECT = re.compile(r"^\s*(re|回覆|回复|答覆|答復|aw|sv)\s*[:：]", re.IGNORECASE)


class IntakeError(ValueError):
    """The message cannot become anything (no sender, unreadable)."""


# --- Parsing -------------------------------------------------------------------------------------


def _codec(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    return CHARSET_ALIASES.get(name, name)


def _decode_bytes(data: bytes, charset: str | None) -> str:
    for codec in (_codec(charset), "utf-8", "cp950"):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode(_codec(charset) if charset else "utf-8", errors="replace")


def decode_header_value(value) -> str:
    if value is None:
        return ""
    parts = []
    try:
        chunks = decode_header(str(value))
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw text
        return str(value)
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(_decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    return " ".join("".join(parts).split())


class _TextExtractor(HTMLParser):
    """HTML → plain text: tags dropped, script/style content dropped, blocks → new lines.
    The result is plain text, escaped wherever it is shown."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    return _decode_bytes(payload, part.get_content_charset())


@dataclass
class ParsedMail:
    message_id: str
    from_name: str
    from_address: str
    to: list[str]
    subject: str
    text: str
    html_text: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    reply_to: str = ""
    headers: dict = field(default_factory=dict)
    source: str = PetitionSource.EMAIL
    citizen_name: str = ""
    citizen_email: str = ""
    is_bounce: bool = False
    bounced_message_id: str = ""
    bounce_reason: str = ""

    @property
    def body(self) -> str:
        return self.text or self.html_text


def message_key(raw: bytes, message: Message | None = None) -> str:
    message = message or email.message_from_bytes(raw)
    value = (message.get("Message-ID") or "").strip()
    if value and len(value) <= 255:
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _ids(value) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _labelled(text: str, labels) -> str:
    for label in labels:
        match = re.search(rf"^\s*{re.escape(label)}\s*[:：]\s*(.+?)\s*$", text, re.MULTILINE)
        if match:
            return match.group(1).strip()
    return ""


def detect_source(*, headers: dict, from_address: str, text: str) -> str:
    """The forwarding rule (README): an explicit ``X-Petition-Source`` header, then the
    sender's domain, then a marker in the first 20 lines of the body."""
    explicit = (headers.get("x-petition-source") or "").strip().lower()
    if explicit in {"president", "president_mailbox"}:
        return PetitionSource.PRESIDENT_MAILBOX
    if explicit in {"premier", "premier_mailbox"}:
        return PetitionSource.PREMIER_MAILBOX
    domain = from_address.rpartition("@")[2].lower()
    if any(domain == d or domain.endswith("." + d) for d in PRESIDENT_DOMAINS):
        return PetitionSource.PRESIDENT_MAILBOX
    if any(domain == d or domain.endswith("." + d) for d in PREMIER_DOMAINS):
        return PetitionSource.PREMIER_MAILBOX
    head = "\n".join(text.splitlines()[:20])
    if any(marker in head for marker in PRESIDENT_MARKERS):
        return PetitionSource.PRESIDENT_MAILBOX
    if any(marker in head for marker in PREMIER_MARKERS):
        return PetitionSource.PREMIER_MAILBOX
    return PetitionSource.EMAIL


def _bounce_details(message: Message) -> tuple[str, str]:
    original_id, reason = "", ""
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in part.get_payload() or []:
                for key in ("Diagnostic-Code", "Status", "Action"):
                    if block.get(key) and not reason:
                        reason = str(block.get(key))
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            if ctype == "message/rfc822":
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                value = inner.get("Message-ID") if hasattr(inner, "get") else ""
            else:
                headers = email.message_from_string(_part_text(part))
                value = headers.get("Message-ID")
            if value and not original_id:
                original_id = str(value).strip()
    return original_id, reason or "delivery failed"


def parse_message(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw)
    from_name, from_address = parseaddr(decode_header_value(message.get("From")))
    from_address = from_address.strip().lower()
    if not from_address or "@" not in from_address:
        raise IntakeError(_("The message has no readable sender (From)."))
    to = [
        addr.lower()
        for _name, addr in getaddresses(
            [
                str(v)
                for k in ("To", "Cc", "Delivered-To", "X-Original-To")
                for v in message.get_all(k, [])
            ]
        )
        if addr
    ]
    text_parts, html_parts, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if filename or disposition == "attachment":
            name = decode_header_value(filename) or "attachment"
            attachments.append((name, part.get_payload(decode=True) or b""))
        elif ctype == "text/plain":
            text_parts.append(_part_text(part))
        elif ctype == "text/html":
            html_parts.append(html_to_text(_part_text(part)))
    headers = {k.lower(): decode_header_value(v) for k, v in message.items()}
    text = "\n\n".join(p.strip() for p in text_parts if p.strip())
    html_text = "\n\n".join(p for p in html_parts if p)
    body = text or html_text
    parsed = ParsedMail(
        message_id=message_key(raw, message),
        from_name=from_name.strip(),
        from_address=from_address,
        to=to,
        subject=decode_header_value(message.get("Subject")),
        text=text,
        html_text=html_text,
        attachments=attachments,
        in_reply_to=_ids(message.get("In-Reply-To")) + _ids(message.get("References")),
        reply_to=parseaddr(decode_header_value(message.get("Reply-To")))[1].lower(),
        headers={k: v[:500] for k, v in headers.items() if k in KEPT_HEADERS},
    )
    parsed.source = detect_source(headers=headers, from_address=from_address, text=body)
    if parsed.source != PetitionSource.EMAIL:
        parsed.citizen_name = _labelled(body, NAME_LABELS)
        parsed.citizen_email = _labelled(body, EMAIL_LABELS).lower() or parsed.reply_to
    bounce_to = settings.PETITIONS_BOUNCE_ADDRESS.lower()
    is_report = (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").lower() == "delivery-status"
    )
    if is_report or (bounce_to and bounce_to in to):
        parsed.is_bounce = True
        parsed.bounced_message_id, parsed.bounce_reason = _bounce_details(message)
    return parsed


KEPT_HEADERS = {
    "from",
    "to",
    "cc",
    "date",
    "subject",
    "reply-to",
    "in-reply-to",
    "references",
    "x-petition-source",
    "return-path",
    "auto-submitted",
}


# --- Turning a message into a case ----------------------------------------------------------------


def _open_case(parsed: ParsedMail):
    citizen_email = parsed.citizen_email or parsed.from_address
    try:
        return petition_open_from_mail(
            source=parsed.source,
            citizen_name=parsed.citizen_name or parsed.from_name or citizen_email.split("@")[0],
            citizen_email=citizen_email,
            subject=parsed.subject,
            body=parsed.body,
        )
    except ValidationError as exc:
        raise IntakeError(str(exc)) from exc


@dataclass
class Outcome:
    state: str
    petition_id: int | None
    created: bool


def process_raw(raw: bytes, *, mailbox: str = "") -> Outcome:
    """One message → at most one InboundMessage (unique Message-ID) and at most one case,
    in one transaction. Returns what happened; a message already seen changes nothing."""
    key = message_key(raw)
    existing = (
        InboundMessage.objects.filter(message_id=key).values_list("state", "petition_id").first()
    )
    if existing is not None:
        return Outcome(state=existing[0], petition_id=existing[1], created=False)
    try:
        parsed = parse_message(raw)
    except IntakeError as exc:
        return _record_failure(raw, key, mailbox, str(exc))
    try:
        with transaction.atomic():
            return _process(parsed, raw, mailbox)
    except IntegrityError:
        # A concurrent run stored the same Message-ID first: nothing to do.
        if InboundMessage.objects.filter(message_id=key).exists():
            row = InboundMessage.objects.filter(message_id=key).values_list("state", "petition_id")[
                0
            ]
            return Outcome(state=row[0], petition_id=row[1], created=False)
        raise
    except IntakeError as exc:
        return _record_failure(raw, key, mailbox, str(exc))


def _record_failure(raw, key, mailbox, error) -> Outcome:
    with transaction.atomic():
        inbound, _created = InboundMessage.objects.get_or_create(
            message_id=key,
            defaults={
                "raw": raw,
                "mailbox": mailbox,
                "state": InboundState.FAILED,
                "error": error[:2000],
            },
        )
    return Outcome(state=inbound.state, petition_id=None, created=False)


def _process(parsed: ParsedMail, raw: bytes, mailbox: str) -> Outcome:
    inbound = InboundMessage(
        message_id=parsed.message_id,
        mailbox=mailbox[:200],
        raw=raw,
        from_address=parsed.from_address[:254],
        to_address=", ".join(parsed.to)[:500],
        subject=parsed.subject[:300],
        body_text=parsed.body,
        source=parsed.source,
        parsed={"headers": parsed.headers, "attachments": [n for n, _d in parsed.attachments]},
    )
    inbound.save()  # first: the unique Message-ID claims the message
    if parsed.is_bounce:
        known, bounced_case = mail_bounced(
            message_id=parsed.bounced_message_id, reason=parsed.bounce_reason
        )
        if known:
            inbound.petition = bounced_case
            inbound.state = InboundState.BOUNCE
        else:
            inbound.state = InboundState.UNMATCHED
        inbound.save(update_fields=["petition", "state"])
        return Outcome(state=inbound.state, petition_id=inbound.petition_id, created=False)
    target = None
    token = reply_token_in(parsed.to)
    if token:
        target = petition_for_token(token)
    if target is None and parsed.in_reply_to:
        target = petition_for_message_ids(parsed.in_reply_to)
    if target is not None:
        skipped = mail_attachments_save(petition=target, attachments=parsed.attachments)
        inbound.petition = target
        inbound.state = InboundState.REPLY_ATTACHED
        inbound.parsed["skipped_attachments"] = skipped
        inbound.save(update_fields=["petition", "state", "parsed"])
        return Outcome(state=inbound.state, petition_id=target.pk, created=False)
    looks_like_reply = bool(token) or (
        parsed.source == PetitionSource.EMAIL
        and (bool(parsed.in_reply_to) or bool(REPLY_SUBJECT.match(parsed.subject)))
    )
    if looks_like_reply or (parsed.headers.get("auto-submitted", "no").lower() != "no"):
        inbound.state = InboundState.UNMATCHED
        inbound.save(update_fields=["state"])
        return Outcome(state=inbound.state, petition_id=None, created=False)
    numbered = _open_case(parsed)
    petition = numbered.petition
    skipped = mail_attachments_save(petition=petition, attachments=parsed.attachments)
    inbound.petition = petition
    inbound.state = InboundState.CASE_CREATED
    inbound.parsed["skipped_attachments"] = skipped
    inbound.save(update_fields=["petition", "state", "parsed"])
    petition_register_confirmed(petition=petition)
    received_mail_queue(numbered=numbered)
    return Outcome(state=inbound.state, petition_id=petition.pk, created=True)


def inbound_assign(*, inbound: InboundMessage, petition: Petition, actor) -> InboundMessage:
    """Manual assignment from the queue: the message (and its attachments) join the case.
    ``actor`` must hold ``petitions.dispatcher`` and be able to read the case
    (``selectors.staff.attach_targets``); ``None`` is the system. A message handled already
    is refused (a double submit changes nothing)."""
    if actor is not None and not (
        authz.has_role(actor, roles.DISPATCHER)
        and attach_targets(user=actor).filter(pk=petition.pk).exists()
    ):
        raise PermissionDenied(_("You may not attach mail to this case."))
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if locked.state not in (InboundState.UNMATCHED, InboundState.FAILED):
            raise ValidationError(_("This message has already been handled."), code="handled")
        try:
            parsed = parse_message(bytes(locked.raw))
        except IntakeError:
            parsed = None
        if parsed is not None:
            mail_attachments_save(petition=petition, attachments=parsed.attachments)
        locked.petition = petition
        locked.state = InboundState.ASSIGNED
        locked.handled_by = actor
        locked.save(update_fields=["petition", "state", "handled_by"])
    return locked


# --- Sources ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    seen: int = 0
    created: int = 0
    outcomes: list = field(default_factory=list)


def import_imap(
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
    """Fetch with BODY.PEEK (nothing marked read before the case is committed), process each
    message in its own transaction, then flag it \\Seen. A crash in between is harmless: the
    next run finds the Message-ID already stored."""
    result = ImportResult()
    cls = imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4
    conn = cls(host, port, timeout=timeout)
    try:
        conn.login(user, password)
        typ, _data = conn.select(mailbox)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {mailbox}")
        typ, data = conn.uid("SEARCH", None, search)
        uids = data[0].split() if data and data[0] else []
        label = f"imap://{user}@{host}/{mailbox}"
        for uid in uids:
            typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (item[1] for item in fetched if isinstance(item, tuple) and len(item) > 1), None
            )
            if typ != "OK" or raw is None:
                continue
            outcome = process_raw(raw, mailbox=label)
            result.seen += 1
            result.created += int(outcome.created)
            result.outcomes.append(outcome)
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            conn.logout()
        except Exception:  # noqa: BLE001,S110 - closing a broken connection
            pass
    return result


def import_folder(*, folder: Path) -> ImportResult:
    """``*.eml`` files: processed in name order, then moved to ``processed/`` (or ``failed/``
    when unreadable). A file left behind by a crash is processed again without a duplicate."""
    result = ImportResult()
    folder = Path(folder)
    done = folder / "processed"
    failed = folder / "failed"
    for path in sorted(folder.glob("*.eml")):
        outcome = process_raw(path.read_bytes(), mailbox=f"folder:{folder.name}")
        result.seen += 1
        result.created += int(outcome.created)
        result.outcomes.append(outcome)
        target = failed if outcome.state == InboundState.FAILED else done
        target.mkdir(exist_ok=True)
        path.replace(target / path.name)
    return result


def import_configured() -> ImportResult:
    """What the scheduled job runs: the IMAP mailbox (PETITIONS_IMAP_*) and the folder
    (PETITIONS_EML_DIR), whichever is configured."""
    total = ImportResult()
    if settings.PETITIONS_IMAP_HOST:
        part = import_imap(
            host=settings.PETITIONS_IMAP_HOST,
            port=settings.PETITIONS_IMAP_PORT,
            user=settings.PETITIONS_IMAP_USER,
            password=settings.PETITIONS_IMAP_PASSWORD,
            mailbox=settings.PETITIONS_IMAP_MAILBOX,
            use_ssl=settings.PETITIONS_IMAP_SSL,
        )
        total.seen += part.seen
        total.created += part.created
    folder = settings.PETITIONS_EML_DIR
    if folder and Path(folder).is_dir():
        part = import_folder(folder=Path(folder))
        total.seen += part.seen
        total.created += part.created
    return total
