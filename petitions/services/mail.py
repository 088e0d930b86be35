"""Mail of the citizen mailbox: rendering, the two ways out, per-case reply addresses, bounces.

- ``citizen_mail_queue``: a message that carries a secret (the confirmation link, the query
  code of a web case) is rendered and handed to the task ``petitions.send_citizen_mail`` after
  commit, and never stored: only the broker holds it until it is sent.
- ``mail_queue``: every other message is an ``OutboundMail`` row (kept on the case, with its
  Message-ID for replies and bounces), sent by ``petitions.send_outbound_mail`` after commit,
  retried there; ``outbound_mail_send`` sends it at most once.
- Reply addresses: ``PETITIONS_REPLY_ADDRESS`` with plus-addressing, ``local+<id>.<HMAC>@domain``;
  nothing is stored and a forged token matches nothing.
- Links: every link in a mail is absolute, made by ``public_link(path, base_url=)``: the
  request's site URL when there is one, else ``PETITIONS_PUBLIC_BASE_URL``, else the first
  named host of ``ALLOWED_HOSTS`` (https when the site forces HTTPS).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ..constants import TASK_SEND_CITIZEN_MAIL, TASK_SEND_OUTBOUND_MAIL
from ..models import InternalNote, OutboundMail, OutboundState, Petition
from .queue import enqueue_on_commit


def site_url(base_url: str | None = None) -> str:
    """The site root mails link to, without a trailing slash: ``base_url`` (the request's,
    e.g. ``request.build_absolute_uri("/")``), else ``PETITIONS_PUBLIC_BASE_URL``, else the
    first named host of ``ALLOWED_HOSTS``."""
    base = (base_url or settings.PETITIONS_PUBLIC_BASE_URL or "").strip().rstrip("/")
    if base:
        return base
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    scheme = "https" if settings.SECURE_SSL_REDIRECT or settings.SESSION_COOKIE_SECURE else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"


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


# --- Unrecorded mail (carries a secret) --------------------------------------------------------


def citizen_mail_queue(
    *, petition: Petition, template: str, context: dict, language: str | None = None
) -> None:
    """Render a mail to the citizen of ``petition`` and send it after commit, unrecorded."""
    subject, body = mail_render(template, {"petition": petition, **context}, language=language)
    enqueue_on_commit(TASK_SEND_CITIZEN_MAIL, to=petition.citizen_email, subject=subject, body=body)


def citizen_mail_deliver(*, to: str, subject: str, body: str) -> None:
    """Send one rendered, unrecorded message; SMTP and network errors propagate (the task
    retries, which sends the same message again: it was not sent)."""
    EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)


# --- Recorded mail -------------------------------------------------------------------------------


def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    petition: Petition | None = None,
    reply_to: str = "",
) -> OutboundMail:
    """Record the mail and send it from a Celery task after commit (retries there)."""
    domain = settings.PETITIONS_REPLY_ADDRESS.partition("@")[2]
    mail = OutboundMail(
        petition=petition,
        kind=kind,
        to=to,
        subject=" ".join(subject.split())[:300],
        body=body,
        reply_to=reply_to,
        message_id=make_msgid(domain=domain or None),
    )
    mail.full_clean()
    mail.save()
    enqueue_on_commit(TASK_SEND_OUTBOUND_MAIL, mail_id=mail.pk)
    return mail


def outbound_mail_send(*, mail_id: int) -> bool:
    """Send once: the row is locked and marked sent in the same transaction; SMTP errors
    propagate (the task retries) after the attempt is counted. False when there is nothing
    to send (unknown, already sent or bounced)."""
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.state in (OutboundState.SENT, OutboundState.BOUNCED):
            return False
        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            to=[mail.to],
            reply_to=[mail.reply_to] if mail.reply_to else None,
            headers={"Message-ID": mail.message_id},
        )
        if settings.PETITIONS_BOUNCE_ADDRESS:
            message.extra_headers["Return-Path"] = settings.PETITIONS_BOUNCE_ADDRESS
            message.from_email = settings.DEFAULT_FROM_EMAIL
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - recorded below, then raised again
            error = exc
        else:
            OutboundMail.objects.filter(pk=mail.pk).update(
                state=OutboundState.SENT, sent_at=timezone.now(), attempts=mail.attempts + 1
            )
            return True
    # Outside the transaction, so the failed attempt stays recorded; the task retries.
    OutboundMail.objects.filter(pk=mail_id).update(
        attempts=mail.attempts + 1, last_error=str(error)[:2000], state=OutboundState.FAILED
    )
    raise error


def outbound_mail_bounced(*, mail: OutboundMail, reason: str) -> OutboundMail:
    """Mark ``mail`` bounced and note it on its case."""
    with transaction.atomic():
        OutboundMail.objects.filter(pk=mail.pk).update(
            state=OutboundState.BOUNCED, bounced_at=timezone.now(), bounce_reason=reason[:2000]
        )
        mail.refresh_from_db()
        if mail.petition_id:
            InternalNote.objects.create(
                petition_id=mail.petition_id,
                text=str(_("The mail “%(subject)s” to %(to)s bounced: %(reason)s"))
                % {"subject": mail.subject, "to": mail.to, "reason": reason[:500]},
            )
    return mail


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
