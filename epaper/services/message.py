"""The e-mail of an issue: written once per issue (and language), personalised per recipient
by substituting a few values into prepared bytes.

``issue_message(issue, language=)`` renders the issue into a ``multipart/alternative`` message
(``templates/epaper/mail/issue.txt`` around ``Issue.text`` and ``issue.html`` around
``Issue.html``, both as stored) and encodes it once: headers, boundary, both parts. What
differs per recipient is left as *slots*: ``To``, ``Message-ID`` and the two signed tokens
(preferences and one-click unsubscribe, ``services.links``), which appear in the
``List-Unsubscribe`` header and in both parts' footers. ``PreparedIssue.render(...)`` joins
the prepared pieces with the recipient's values: a few small base64 (or quoted-printable)
encodings and one ``bytes.join``, instead of the ``email`` package's generator per message.

The message (RFC 5322, 7-bit, CRLF):

- ``From``: the newsletter's sender name (``Newsletter.from_name``, else its Chinese name) and
  ``EPAPER_FROM_EMAIL``; ``Subject``: the issue's title (``[TEST]`` first for a test); non-ASCII
  text as RFC 2047 encoded words (UTF-8).
- ``Message-ID``: the delivery row's, fixed when the row is made, so a message sent again after
  a crash is the same message to the receiving side.
- ``List-Id: <name> <code.epaper.DOMAIN>`` (RFC 2919; DOMAIN as Message-IDs), ``List-Archive``,
  ``List-Unsubscribe: <https://…/epaper/unsubscribe/<token>/>`` with
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058: a mail client's POST leaves
  this newsletter at once, no login or cookie), and ``<mailto:<bounce address>?subject=
  unsubscribe%20<token>>`` when the bounce mailbox is read (``services.bounces`` acts on it);
  ``Precedence: bulk`` and ``X-Auto-Response-Suppress: OOF, AutoReply`` (no vacation replies
  to the bounce address).
  No ``Auto-Submitted``: an issue is written by people, and RFC 3834's ``auto-generated`` is for
  messages a program wrote (the notices of the outbox); list headers and ``Precedence`` already
  keep responders quiet.
- Both parts UTF-8, each in base64 or quoted-printable, whichever is shorter for its text (base64
  for Chinese, quoted-printable for mostly-ASCII text): 7-bit, lines of at most 76 characters, so
  any server takes it without 8BITMIME.
- Footer in both parts: the newsletter's name, "view in browser" (the archive page of the issue,
  ``epaper:issue``), the preferences link (``epaper:preferences``) and the unsubscribe page
  (``epaper:unsubscribe``, the same URL as the header), all absolute (``core.http``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from email import quoprimime
from email.header import Header
from email.utils import formataddr, formatdate

from django.conf import settings
from django.core.signing import b62_encode, b64_encode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes

from core.http import absolute_url
from notifications.services.outbox import message_domain

from ..models import Issue, Newsletter
from . import links

CRLF = b"\r\n"
#: The values of a recipient, in this order.
TO, MESSAGE_ID, PREFERENCES, UNSUBSCRIBE = range(4)
_MARKS = {
    PREFERENCES: "EPAPERSLOTPREFERENCES7E1",
    UNSUBSCRIBE: "EPAPERSLOTUNSUBSCRIBE7E1",
}
_LINE = 76
#: Token shown in the links of a test or preview mail of someone who is not a subscriber.
PREVIEW_TOKEN = "preview"  # noqa: S105 - not a secret: an invalid link on purpose


# --- Headers ----------------------------------------------------------------------------------


def _header(name: str, value: str) -> bytes:
    """One header field with its CRLF, folded, non-ASCII text as RFC 2047 encoded words."""
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}\r\n".encode("ascii")
    charset = "us-ascii" if value.isascii() else "utf-8"
    encoded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode("ascii")


def _phrase(text: str, header_name: str) -> str:
    """A display name before an address: quoted when needed, encoded words when not ASCII
    (folded with CRLF and a space)."""
    if text.isascii():
        return formataddr((text, "x@x"))[: -len(" <x@x>")]
    return Header(text, "utf-8", header_name=header_name).encode(linesep="\r\n")


def from_address() -> str:
    value = (
        settings.EPAPER_FROM_EMAIL
        or settings.NOTIFICATIONS_FROM_EMAIL
        or settings.DEFAULT_FROM_EMAIL
    )
    return value.rsplit("<", 1)[-1].rstrip(">").strip()


def envelope_sender() -> str:
    """MAIL FROM of every issue: where bounces come back."""
    return settings.EPAPER_BOUNCE_ADDRESS or settings.NOTIFICATIONS_BOUNCE_ADDRESS or from_address()


def unsubscribe_mailbox() -> str:
    """The address of the ``mailto:`` in ``List-Unsubscribe`` (a mail with the subject
    ``unsubscribe <token>`` leaves the list): the bounce address, when its mailbox is read
    (``EPAPER_BOUNCE_IMAP_HOST``); else none, and only the https link is offered."""
    return envelope_sender() if settings.EPAPER_BOUNCE_IMAP_HOST else ""


def list_id(newsletter: Newsletter) -> str:
    return f"<{newsletter.code}.epaper.{message_domain()}>"


def new_message_id() -> str:
    """``<32 hex digits@domain>`` (no DNS lookup), the domain of the notifications' ids."""
    return f"<{uuid.uuid4().hex}@{message_domain()}>"


def _envelope(address: str) -> str:
    """An address for the envelope and ``To``: the domain in IDNA (punycode) when needed."""
    local, _sep, domain = address.rpartition("@")
    if domain.isascii():
        return address
    return f"{local}@{domain.encode('idna').decode('ascii')}"


# --- Transfer encodings with slots --------------------------------------------------------------


def _b64_lines(data: bytes, *, pad: bool = True) -> bytes:
    """``data`` in base64, lines of 76 characters, each ending with CRLF."""
    if not data:
        return b""
    encoded = base64.b64encode(data)
    if not pad:
        encoded = encoded.rstrip(b"=")
    return b"".join(encoded[i : i + _LINE] + CRLF for i in range(0, len(encoded), _LINE))


class _Base64Part:
    """A part's text in base64 with slots. Base64 works in groups of 3 bytes, so a static
    piece can be encoded ahead of time only from a known offset: each piece after a slot is
    prepared for the 3 possible offsets (0, 1, 2 of its first bytes taken into the slot's
    group) and the slot's own bytes, with the carried-over bytes around them, are encoded per
    recipient. Decoders ignore the line breaks between the pieces (RFC 2045 6.8)."""

    def __init__(self, pieces: list[bytes], slots: list[int]):
        if any(len(piece) < 2 for piece in pieces[1:]):
            raise ValueError("a static piece after a slot needs at least 2 bytes")
        first = pieces[0]
        cut = len(first) - len(first) % 3
        self.head = _b64_lines(first[:cut])
        self.carry = first[cut:]
        self.slots = slots
        self.pieces = pieces
        last = len(pieces) - 1
        self.variants: list[list[tuple[bytes, bytes]]] = []
        for index, piece in enumerate(pieces[1:], start=1):
            options = []
            for offset in range(3):
                rest = piece[offset:]
                if index == last:
                    options.append((_b64_lines(rest), b""))
                else:
                    cut = len(rest) - len(rest) % 3
                    options.append((_b64_lines(rest[:cut]), rest[cut:]))
            self.variants.append(options)

    def render(self, values: list[bytes]) -> list[bytes]:
        out = [self.head]
        carry = self.carry
        for number, slot in enumerate(self.slots):
            value = values[slot]
            piece = self.pieces[number + 1]
            offset = -(len(carry) + len(value)) % 3
            out.append(_b64_lines(carry + value + piece[:offset]))
            encoded, carry = self.variants[number][offset]
            out.append(encoded)
        if not self.slots:
            out.append(_b64_lines(carry))
        return out


class _QuotedPrintablePart:
    """A part's text in quoted-printable with slots: each static piece encoded on its own,
    a slot's value (ASCII without ``=``, e.g. a signed token) set between soft line breaks."""

    def __init__(self, pieces: list[bytes], slots: list[int]):
        self.encoded = [self._encode(piece) for piece in pieces]
        self.slots = slots

    @staticmethod
    def _encode(piece: bytes) -> bytes:
        text = piece.decode("latin-1").replace("\r\n", "\n")
        return quoprimime.body_encode(text, maxlinelen=_LINE, eol="\r\n").encode("ascii")

    def render(self, values: list[bytes]) -> list[bytes]:
        out = [self.encoded[0]]
        for number, slot in enumerate(self.slots):
            value = values[slot]
            if len(value) > _LINE - 1:
                value = b"=\r\n".join(
                    value[i : i + _LINE - 1] for i in range(0, len(value), _LINE - 1)
                )
            out += [b"=\r\n", value, b"=\r\n", self.encoded[number + 1]]
        out.append(CRLF)
        return out


_SLOT_OF_MARK = {mark: slot for slot, mark in _MARKS.items()}
_MARK_RE = re.compile("(" + "|".join(_MARKS.values()) + ")")


def _split(text: str) -> tuple[list[bytes], list[int]]:
    """The rendered text (CRLF line ends, UTF-8) cut at the slot marks: (static pieces, the
    slot of each cut); ``len(pieces) == len(slots) + 1``."""
    parts = _MARK_RE.split(text.replace("\r\n", "\n").replace("\n", "\r\n"))
    pieces = [part.encode("utf-8") for part in parts[0::2]]
    slots = [_SLOT_OF_MARK[mark] for mark in parts[1::2]]
    return pieces, slots


def _part(text: str, subtype: str) -> tuple[bytes, object]:
    """(the part's headers, its encoder) for the shorter of base64 and quoted-printable."""
    pieces, slots = _split(text)
    whole = b"".join(pieces)
    qp_size = len(quoprimime.body_encode(whole.decode("latin-1"), maxlinelen=_LINE))
    use_base64 = (len(whole) * 4) // 3 < qp_size
    encoder = _Base64Part(pieces, slots) if use_base64 else _QuotedPrintablePart(pieces, slots)
    encoding = "base64" if use_base64 else "quoted-printable"
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode("ascii")
    return head, encoder


# --- The message --------------------------------------------------------------------------------


def _newsletter_name(newsletter: Newsletter, language: str) -> str:
    if language.startswith("en") and newsletter.name_en:
        return newsletter.name_en
    return newsletter.name_zh


def _context(issue: Issue, language: str, preferences: str, unsubscribe: str) -> dict:
    newsletter = issue.newsletter
    return {
        "issue": issue,
        "newsletter": newsletter,
        "newsletter_name": _newsletter_name(newsletter, language),
        "title": issue.title,
        "html": issue.html,
        "text": issue.text,
        "browser_url": absolute_url(issue.get_absolute_url()),
        "archive_url": absolute_url(newsletter.get_absolute_url()),
        "preferences_url": absolute_url(reverse("epaper:preferences", args=[preferences])),
        "unsubscribe_url": absolute_url(reverse("epaper:unsubscribe", args=[unsubscribe])),
        "language": language,
    }


def render_parts(
    issue: Issue,
    *,
    language: str | None = None,
    preferences_token: str = PREVIEW_TOKEN,
    unsubscribe_token: str = PREVIEW_TOKEN,
) -> tuple[str, str]:
    """``(html, text)`` of the issue's mail as a subscriber sees it (the editors' preview):
    the layout and footer around ``Issue.html`` and ``Issue.text``."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = _context(issue, language, preferences_token, unsubscribe_token)
        html = render_to_string("epaper/mail/issue.html", context)
        text = render_to_string("epaper/mail/issue.txt", context)
    return html, text


class TokenSigner:
    """``django.core.signing.dumps(obj, salt=salt)`` (a ``TimestampSigner`` over compact JSON,
    HMAC-SHA256 with the key derived from ``salt`` and ``SECRET_KEY``), with that derived key
    computed once instead of per token: the same tokens ``services.links`` makes and reads,
    for a fraction of the cost (two tokens per message, a million messages)."""

    def __init__(self, salt: str, secret=None):
        secret = settings.SECRET_KEY if secret is None else secret
        key = hashlib.sha256(force_bytes(salt + "signer") + force_bytes(secret)).digest()
        self._mac = hmac.new(key, digestmod=hashlib.sha256)

    def dumps(self, obj) -> str:
        data = json.dumps(obj, separators=(",", ":")).encode("latin-1")
        value = f"{b64_encode(data).decode()}:{b62_encode(int(time.time()))}"
        mac = self._mac.copy()
        mac.update(value.encode())
        return f"{value}:{b64_encode(mac.digest()).decode()}"


def _preferences_signer() -> TokenSigner:
    return TokenSigner(links._PREFERENCES_SALT)  # noqa: SLF001 - the same app's token


def _unsubscribe_signer() -> TokenSigner:
    return TokenSigner(links._UNSUBSCRIBE_SALT)  # noqa: SLF001


@dataclass
class PreparedIssue:
    """An issue's message with slots. ``render`` gives the bytes for one recipient."""

    issue_id: int
    newsletter_code: str
    language: str
    envelope_from: str
    chunks: list  # bytes, an int (a header slot) or a part encoder
    preferences_signer: TokenSigner = field(default_factory=_preferences_signer, repr=False)
    unsubscribe_signer: TokenSigner = field(default_factory=_unsubscribe_signer, repr=False)

    def render(
        self, *, to: str, message_id: str, preferences_token: str, unsubscribe_token: str
    ) -> bytes:
        values = [
            _envelope(to).encode("ascii"),
            message_id.encode("ascii"),
            preferences_token.encode("ascii"),
            unsubscribe_token.encode("ascii"),
        ]
        out: list[bytes] = []
        for chunk in self.chunks:
            if isinstance(chunk, bytes):
                out.append(chunk)
            elif isinstance(chunk, int):
                out.append(values[chunk])
            else:
                out += chunk.render(values)
        return b"".join(out)

    def for_subscriber(self, *, subscriber, newsletter, to: str, message_id: str) -> bytes:
        """The message for ``subscriber`` (anything with ``pk`` and ``link_version``), with
        its tokens as ``links.preferences_token`` and ``links.unsubscribe_token`` make them."""
        pk, version = subscriber.pk, subscriber.link_version
        return self.render(
            to=to,
            message_id=message_id,
            preferences_token=self.preferences_signer.dumps([pk, version]),
            unsubscribe_token=self.unsubscribe_signer.dumps([pk, version, newsletter.code]),
        )


def issue_message(issue: Issue, *, language: str | None = None, test: bool = False):
    """The issue's ``PreparedIssue`` in ``language`` (the footer's; default the site's).
    ``test``: the subject starts with ``[TEST]``."""
    language = language or settings.LANGUAGE_CODE
    newsletter = issue.newsletter
    marks = _MARKS
    with translation.override(language):
        context = _context(issue, language, marks[PREFERENCES], marks[UNSUBSCRIBE])
        html = render_to_string("epaper/mail/issue.html", context)
        text = render_to_string("epaper/mail/issue.txt", context)
    subject = " ".join(issue.title.split())
    if test:
        subject = f"[TEST] {subject}"
    boundary = "=_epaper_" + uuid.uuid4().hex
    unsubscribe_path = reverse("epaper:unsubscribe", args=[marks[UNSUBSCRIBE]])
    before, _mark, after = absolute_url(unsubscribe_path).partition(marks[UNSUBSCRIBE])
    sender = newsletter.from_name or newsletter.name_zh
    name = _newsletter_name(newsletter, language)
    domain = message_domain()
    head = [
        f"From: {_phrase(sender, 'From')} <{from_address()}>\r\n".encode("ascii"),
        b"To: ",
        TO,
        CRLF,
        _header("Subject", subject),
        _header("Date", formatdate(localtime=True)),
        b"Message-ID: ",
        MESSAGE_ID,
        CRLF,
        b"MIME-Version: 1.0\r\n",
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode("ascii"),
        f"List-Id: {_phrase(name, 'List-Id')} {list_id(newsletter)}\r\n".encode("ascii"),
        _header("List-Archive", f"<{context['archive_url']}>"),
        f"List-Unsubscribe: <{before}".encode("ascii"),
        UNSUBSCRIBE,
        f"{after}>".encode("ascii"),
        *(
            [f",\r\n <mailto:{mailto}?subject=unsubscribe%20".encode("ascii"), UNSUBSCRIBE, b">"]
            if (mailto := unsubscribe_mailbox())
            else []
        ),
        CRLF,
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        b"Precedence: bulk\r\n",
        b"X-Auto-Response-Suppress: OOF, AutoReply\r\n",
        f"Feedback-ID: {issue.pk}:{newsletter.code}:epaper:{domain}\r\n".encode("ascii"),
        CRLF,
    ]
    text_head, text_part = _part(text, "plain")
    html_head, html_part = _part(html, "html")
    opening = f"--{boundary}\r\n".encode("ascii")
    chunks = [
        *head,
        b"This is a multi-part message in MIME format.\r\n\r\n",
        opening,
        text_head,
        text_part,
        opening,
        html_head,
        html_part,
        f"--{boundary}--\r\n".encode("ascii"),
    ]
    merged: list = []
    for chunk in chunks:  # adjacent bytes joined once here, not per recipient
        if isinstance(chunk, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += chunk
        else:
            merged.append(chunk)
    return PreparedIssue(
        issue_id=issue.pk,
        newsletter_code=newsletter.code,
        language=language,
        envelope_from=envelope_sender(),
        chunks=merged,
    )
