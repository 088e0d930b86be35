"""Mail of the citizen mailbox: rendering, the outbox, per-case reply addresses, bounces.

Every mail of the mailbox is a row of the one outbox (``notifications.outbox_email``), written
in the same transaction as the change that causes it and relayed by the worker after commit;
the notifications sweep sends whatever the broker or a dead worker left behind, and the claim
on each row means a re-run sends nothing twice.

- ``citizen_mail_queue``: a mail that carries a secret (the confirmation link, a query code) is
  a *sensitive* row: its text is erased as soon as it has been sent.
- ``mail_queue``: every other mail (acknowledgement, reply, reminder) keeps its text on the
  case, with its Message-ID for replies and bounces (``deliveries_for(petition)``).
- Reply addresses: ``PETITIONS_REPLY_ADDRESS`` with plus-addressing, ``local+<id>.<HMAC>@domain``;
  nothing is stored and a forged token matches nothing.
- Links: every link in a mail is absolute, made by ``public_link(path, base_url=)``: the
  request's site URL when there is one, else ``PETITIONS_PUBLIC_BASE_URL``, else the first
  named host of ``ALLOWED_HOSTS`` (https when the site forces HTTPS).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core import http
from notifications.selectors import delivery_by_message_id
from notifications.services import delivery_bounced, new_message_id, outbox_email

from ..models import InternalNote, Petition

#: ``kind`` of the outbox rows of this app: ``petitions.<what>`` (their List-Id is
#: ``<petitions.…>``, so staff and citizens can filter them).
KIND_PREFIX = "petitions."


def site_url(base_url: str | None = None) -> str:
    """The site root mails link to, without a trailing slash: ``base_url`` (the request's,
    e.g. ``request.build_absolute_uri("/")``), else ``PETITIONS_PUBLIC_BASE_URL``, else the
    project's rule (``core.http.site_url``: ``SITE_URL``, else the first named host)."""
    return http.site_url(base_url or settings.PETITIONS_PUBLIC_BASE_URL or "")


def public_link(path: str, *, base_url: str | None = None) -> str:
    """``path`` (``/petitions/...``) as an absolute URL on ``site_url(base_url)``."""
    return site_url(base_url) + "/" + path.lstrip("/")


def mail_render(template: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    """``(subject, body)`` of ``<template>_subject.txt`` and ``<template>.txt`` in
    ``language`` (default: the site's); the subject on one line."""
    with override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(template + "_subject.txt", context)
        body = render_to_string(template + ".txt", context)
    return " ".join(subject.split()), body


def _headers() -> dict:
    if settings.PETITIONS_BOUNCE_ADDRESS:
        return {"Return-Path": settings.PETITIONS_BOUNCE_ADDRESS}
    return {}


# --- Mail that carries a secret ------------------------------------------------------------------


def citizen_mail_queue(
    *, petition: Petition, template: str, context: dict, language: str | None = None
):
    """Render a mail to the citizen of ``petition`` and put it in the outbox as a sensitive
    row (its text is erased once sent), in the caller's transaction. Returns the row."""
    subject, body = mail_render(template, {"petition": petition, **context}, language=language)
    return outbox_email(
        to=petition.citizen_email,
        subject=subject,
        text=body,
        kind=KIND_PREFIX + template.rsplit("/", 1)[-1],
        source=petition,
        sensitive=True,
        headers=_headers(),
    )


# --- Mail kept on the case -----------------------------------------------------------------------


def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    petition: Petition | None = None,
    reply_to: str = "",
):
    """Put the mail in the outbox, kept on ``petition`` with a Message-ID of the reply
    address's domain (replies and bounces find the case by it). Returns the row."""
    domain = settings.PETITIONS_REPLY_ADDRESS.partition("@")[2]
    return outbox_email(
        to=to,
        subject=subject,
        text=body,
        kind=KIND_PREFIX + kind,
        source=petition,
        reply_to=reply_to,
        message_id=new_message_id(domain or None),
        headers=_headers(),
    )


def petition_for_message_ids(message_ids) -> Petition | None:
    """The case whose outgoing mail one of ``message_ids`` names (a reply's ``In-Reply-To``)."""
    delivery = delivery_by_message_id(message_ids)
    if delivery is None or not delivery.kind.startswith(KIND_PREFIX):
        return None
    if not delivery.source_id.isdigit():
        return None
    return Petition.objects.filter(pk=int(delivery.source_id)).first()


def mail_bounced(*, message_id: str, reason: str) -> tuple[bool, Petition | None]:
    """A bounce came back for the mail ``message_id``: its outbox row (any app's) is marked
    bounced and, when it was a mail of a case, a note goes on the case. Returns whether the
    mail was known, and its case."""
    delivery = delivery_bounced(message_id=message_id, reason=reason) if message_id else None
    if delivery is None:
        return False, None
    petition = petition_for_message_ids([message_id])
    if petition is not None:
        InternalNote.objects.create(
            petition=petition,
            text=str(_("The mail “%(subject)s” to %(to)s bounced: %(reason)s"))
            % {"subject": delivery.subject, "to": delivery.to, "reason": reason[:500]},
        )
    return True, petition


# --- Reply addresses -----------------------------------------------------------------------------

_SALT = "petitions.reply-address"


def _token_mac(pk: str) -> str:
    return salted_hmac(_SALT, str(pk)).hexdigest()[:20]


def reply_token(petition: Petition) -> str:
    """``<pk>.<HMAC>``: stateless, unguessable, lower-case (mail systems may fold case),
    verified on the way back in."""
    return f"{petition.pk}.{_token_mac(petition.pk)}"


def reply_address(petition: Petition) -> str:
    local, _at, domain = settings.PETITIONS_REPLY_ADDRESS.partition("@")
    return f"{local}+{reply_token(petition)}@{domain}"


def reply_token_in(addresses: list[str]) -> str | None:
    """The token of the first address of the form ``<reply local>+<token>@<reply domain>``."""
    local, _at, domain = settings.PETITIONS_REPLY_ADDRESS.lower().partition("@")
    for address in addresses:
        a_local, _at2, a_domain = address.partition("@")
        if a_domain == domain and a_local.startswith(local + "+"):
            return a_local[len(local) + 1 :]
    return None


def petition_for_token(token: str) -> Petition | None:
    pk, _dot, mac = (token or "").lower().partition(".")
    if not pk.isdigit() or not constant_time_compare(mac, _token_mac(pk)):
        return None
    return Petition.objects.filter(pk=pk).first()
