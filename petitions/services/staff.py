"""Staff side of the citizen mailbox: registration in documents, routing, deadlines,
assignment, notes, replies through a sign-off chain, merge, reject, reminders, anonymisation,
and the outgoing mail queue (Celery, retries, bounces)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.dates import add_working_days
from core.models import Organization
from documents.choices import DocumentCategory
from documents.services import StepSpec, document_register, signoff_start

from ..choices import OPEN_STATUSES, PetitionStatus
from ..models import (
    DeadlineExtension,
    InternalNote,
    OutboundMail,
    OutboundState,
    Petition,
    PetitionReminder,
    ReminderKind,
    RoutingRule,
    StatusEvent,
)

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_WORKING_DAYS = 6
DEFAULT_RETENTION_DAYS = 5 * 365
DEFAULT_REMINDER_DAYS_BEFORE = 2
ANONYMISED_NAME = "（已匿名）"
ANONYMISED_TEXT = "[anonymised]"


def _setting(name: str, default):
    return getattr(settings, name, default)


def _event(petition: Petition, status: str, *, actor=None, note: str = "") -> None:
    StatusEvent.objects.create(petition=petition, status=status, actor=actor, public_note=note)


def _set_status(petition: Petition, *, new: str, allowed, actor=None, note: str = "") -> None:
    """Conditional update (row count checked): a concurrent change wins, this one refuses."""
    changed = Petition.objects.filter(pk=petition.pk, status__in=list(allowed)).update(
        status=new, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError(
            _("The case is %(status)s now; this action is not possible."),
            params={"status": petition.get_status_display()},
        )
    petition.status = new
    _event(petition, new, actor=actor, note=note)


# --- Reply addresses -----------------------------------------------------------------------------

_SALT = "petitions.reply-address"


def _token_mac(pk: str) -> str:
    return salted_hmac(_SALT, str(pk)).hexdigest()[:20]


def reply_token(petition: Petition) -> str:
    """``<pk>.<HMAC>``: stateless, unguessable, lower-case (mail systems may fold case),
    verified on the way back in."""
    return f"{petition.pk}.{_token_mac(petition.pk)}"


def reply_address(petition: Petition) -> str:
    base = _setting("PETITIONS_REPLY_ADDRESS", "petitions@mol.gov.tw")
    local, _at, domain = base.partition("@")
    return f"{local}+{reply_token(petition)}@{domain}"


def petition_for_token(token: str) -> Petition | None:
    pk, _dot, mac = (token or "").lower().partition(".")
    if not pk.isdigit() or not constant_time_compare(mac, _token_mac(pk)):
        return None
    return Petition.objects.filter(pk=pk).first()


# --- Outgoing mail -------------------------------------------------------------------------------


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
    domain = _setting("PETITIONS_REPLY_ADDRESS", "petitions@mol.gov.tw").partition("@")[2]
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
    from ..tasks import send_outbound_mail

    transaction.on_commit(lambda: send_outbound_mail.delay(mail_id=mail.pk))
    return mail


def outbound_mail_send(*, mail_id: int) -> bool:
    """Send once: the row is locked and marked sent in the same transaction; SMTP errors
    propagate (the task retries) after the attempt is counted."""
    from django.core.mail import EmailMessage

    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.state in (OutboundState.SENT, OutboundState.BOUNCED):
            return False
        headers = {"Message-ID": mail.message_id}
        bounce = _setting("PETITIONS_BOUNCE_ADDRESS", "")
        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            to=[mail.to],
            reply_to=[mail.reply_to] if mail.reply_to else None,
            headers=headers,
        )
        if bounce:
            message.extra_headers["Return-Path"] = bounce
            message.from_email = settings.DEFAULT_FROM_EMAIL
        try:
            message.send(fail_silently=False)
        except Exception as exc:
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


def _render(template: str, context: dict, language=None) -> tuple[str, str]:
    with override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(template + "_subject.txt", context)
        body = render_to_string(template + ".txt", context)
    return " ".join(subject.split()), body


# --- Registration, routing, deadline --------------------------------------------------------------


def default_unit() -> Organization:
    code = _setting("PETITIONS_DEFAULT_UNIT", "")
    unit = Organization.objects.filter(code=code).first() if code else None
    return unit or Organization.objects.filter(parent__isnull=True).order_by("sort_order").first()


def route(*, petition: Petition) -> tuple[Organization, int]:
    days = _setting("PETITIONS_DEADLINE_WORKING_DAYS", DEFAULT_DEADLINE_WORKING_DAYS)
    rule = None
    if petition.category_id:
        rule = RoutingRule.objects.filter(category_id=petition.category_id, active=True).first()
    if rule is None:
        return default_unit(), days
    return rule.unit, rule.working_days or days


def petition_register_confirmed(*, petition: Petition) -> Petition:
    """Register a confirmed case in documents (idempotent by external reference), route it to
    a unit by its category and set its deadline in working days from the confirmation date.
    Called by the public side after confirmation and by the e-mail intake."""
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.status == PetitionStatus.PENDING_CONFIRMATION:
            raise ValidationError(_("An unconfirmed petition is not registered."))
        if petition.document_id:
            return petition
        unit, days = route(petition=petition)
        start = timezone.localdate(petition.confirmed_at or timezone.now())
        deadline = add_working_days(start, days)
        document = document_register(
            unit=unit,
            subject=str(_("Petition %(number)s: %(subject)s"))
            % {"number": petition.case_number, "subject": petition.subject},
            sender=str(_("Citizen mailbox")),
            category=DocumentCategory.INCOMING,
            deadline=deadline,
            source=petition,
            external_system="petitions",
            external_id=str(petition.pk),
        )
        petition.document = document
        petition.handling_unit = petition.handling_unit or unit
        petition.deadline = petition.deadline or deadline
        petition.save(update_fields=["document", "handling_unit", "deadline", "updated_at"])
    return petition


# --- Triage actions -------------------------------------------------------------------------------


def petition_assign(*, petition: Petition, handler, actor) -> Petition:
    with transaction.atomic():
        if handler.organization_id and petition.handling_unit_id is None:
            petition.handling_unit_id = handler.organization_id
        if not handler.is_active:
            raise ValidationError({"handler": _("This user is not active.")})
        petition.handler = handler
        petition.save(update_fields=["handler", "handling_unit", "updated_at"])
        if petition.status == PetitionStatus.RECEIVED:
            _set_status(
                petition,
                new=PetitionStatus.ASSIGNED,
                allowed=[PetitionStatus.RECEIVED],
                actor=actor,
            )
    return petition


def note_add(*, petition: Petition, author, text: str) -> InternalNote:
    note = InternalNote(petition=petition, author=author, text=(text or "").strip())
    if not note.text:
        raise ValidationError({"text": _("Write the note.")})
    note.full_clean()
    note.save()
    return note


def deadline_extend(*, petition: Petition, working_days: int, reason: str, actor):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if not working_days or working_days < 1:
        raise ValidationError({"working_days": _("Extend by at least one working day.")})
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.deadline is None:
            raise ValidationError(_("This case has no deadline yet."))
        new = add_working_days(petition.deadline, working_days)
        extension = DeadlineExtension(
            petition=petition,
            old_deadline=petition.deadline,
            new_deadline=new,
            working_days=working_days,
            reason=reason,
            created_by=actor,
        )
        extension.full_clean()
        extension.save()
        petition.deadline = new
        petition.save(update_fields=["deadline", "updated_at"])
        if petition.document_id:
            from documents.services import document_update

            document_update(document=petition.document, deadline=new)
    return extension


def reply_submit(*, petition: Petition, text: str, signers, actor) -> Petition:
    """Save the reply and send it through a sign-off chain (one order per signer, in the
    given order). The citizen gets it only when the chain completes."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    signers = list(signers)
    if not signers:
        raise ValidationError({"signers": _("Choose at least one person to sign off the reply.")})
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.document_id is None:
            petition_register_confirmed(petition=petition)
            petition.refresh_from_db()
        if petition.status not in OPEN_STATUSES or petition.status == PetitionStatus.REPLIED:
            raise ValidationError(
                _("The case is %(status)s now; this action is not possible."),
                params={"status": petition.get_status_display()},
            )
        petition.reply_text = text
        petition.save(update_fields=["reply_text", "updated_at"])
        _set_status(petition, new=PetitionStatus.REPLIED, allowed=OPEN_STATUSES, actor=actor)
        signoff_start(
            document=petition.document,
            started_by=actor,
            steps=[StepSpec(order=i, user=u) for i, u in enumerate(signers, start=1)],
        )
    return petition


def reply_signoff_approved(*, document, chain, outcome, comment, actor) -> None:
    """documents hook: the chain is complete → the reply goes to the citizen."""
    petition = Petition.objects.select_for_update().get(pk=document.source_object_id)
    if petition.status != PetitionStatus.REPLIED:
        return
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(
        status=PetitionStatus.ANSWERED, replied_at=now, updated_at=now
    )
    petition.status = PetitionStatus.ANSWERED
    petition.replied_at = now
    _event(petition, PetitionStatus.ANSWERED, actor=actor)
    subject, body = _render("petitions/emails/reply", {"petition": petition})
    mail_queue(
        to=petition.citizen_email,
        subject=subject,
        body=body,
        kind="reply",
        petition=petition,
        reply_to=reply_address(petition),
    )
    # Then the satisfaction survey link (one answer per case), seed 貳-二-(三).
    from .public import petition_survey_invite

    petition_survey_invite(
        petition=petition, base_url=_setting("PETITIONS_PUBLIC_BASE_URL", "") or ""
    )


def reply_signoff_returned(*, document, chain, outcome, comment, actor) -> None:
    petition = Petition.objects.select_for_update().get(pk=document.source_object_id)
    if petition.status != PetitionStatus.REPLIED:
        return
    Petition.objects.filter(pk=petition.pk).update(
        status=PetitionStatus.IN_PROGRESS, updated_at=timezone.now()
    )
    _event(petition, PetitionStatus.IN_PROGRESS, actor=actor)
    InternalNote.objects.create(
        petition=petition,
        author=actor,
        text=str(_("Reply returned: %(comment)s")) % {"comment": comment or "-"},
    )


def petition_reject(*, petition: Petition, reason: str, actor) -> Petition:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    with transaction.atomic():
        _set_status(
            petition, new=PetitionStatus.REJECTED, allowed=OPEN_STATUSES, actor=actor, note=reason
        )
        Petition.objects.filter(pk=petition.pk).update(reject_reason=reason)
        petition.reject_reason = reason
    return petition


def petition_merge(*, petition: Petition, into: Petition, actor) -> Petition:
    if petition.pk == into.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    if into.status == PetitionStatus.MERGED:
        raise ValidationError({"into": _("That case is itself merged; choose its target.")})
    with transaction.atomic():
        first, second = sorted([petition.pk, into.pk])
        list(Petition.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))
        Petition.objects.filter(pk=petition.pk).update(merged_into=into)
        petition.merged_into = into
        _set_status(
            petition,
            new=PetitionStatus.MERGED,
            allowed=OPEN_STATUSES,
            actor=actor,
            note=str(_("Merged into case %(number)s.")) % {"number": into.case_number},
        )
        InternalNote.objects.create(
            petition=into,
            author=actor,
            text=str(_("Case %(number)s merged into this one.")) % {"number": petition.case_number},
        )
    return petition


# --- Reminders -----------------------------------------------------------------------------------


def _reminder_recipients(petition: Petition) -> list[str]:
    """The handler and the unit head(s): active users of the handling unit holding the
    permission ``petitions.change_petition`` (the unit's supervisors)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    User = get_user_model()
    emails = []
    if petition.handler_id and petition.handler.email:
        emails.append(petition.handler.email)
    if petition.handling_unit_id:
        heads = User.objects.filter(
            Q(user_permissions__codename="change_petition")
            | Q(groups__permissions__codename="change_petition"),
            organization_id=petition.handling_unit_id,
            is_active=True,
        ).distinct()
        emails.extend(u.email for u in heads if u.email)
    return sorted(set(emails))


def reminders_due(*, today: date | None = None) -> list[tuple[int, str]]:
    today = today or timezone.localdate()
    before = _setting("PETITIONS_REMINDER_DAYS_BEFORE", DEFAULT_REMINDER_DAYS_BEFORE)
    soon = add_working_days(today, before)
    due = []
    open_cases = Petition.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    for pk, _deadline in open_cases.filter(deadline__lt=today).values_list("pk", "deadline"):
        due.append((pk, ReminderKind.OVERDUE))
    for pk, _deadline in open_cases.filter(deadline__gte=today, deadline__lte=soon).values_list(
        "pk", "deadline"
    ):
        due.append((pk, ReminderKind.BEFORE))
    return due


def reminder_send(*, petition_id: int, kind: str) -> bool:
    """Record the reminder (unique per case, kind and deadline) and queue its mail: sent once."""
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("handler", "handling_unit")
            .get(pk=petition_id)
        )
        if petition.deadline is None or petition.status not in OPEN_STATUSES:
            return False
        reminder, created = PetitionReminder.objects.get_or_create(
            petition=petition, kind=kind, deadline=petition.deadline
        )
        if not created:
            return False
        recipients = _reminder_recipients(petition)
        reminder.recipients = ", ".join(recipients)
        reminder.save(update_fields=["recipients"])
        subject, body = _render(
            "petitions/emails/reminder",
            {"petition": petition, "overdue": kind == ReminderKind.OVERDUE},
        )
        for to in recipients:
            mail_queue(to=to, subject=subject, body=body, kind="reminder", petition=petition)
    return True


# --- Anonymisation -------------------------------------------------------------------------------


def anonymise_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    days = _setting("PETITIONS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    cutoff = now - timedelta(days=days)
    return list(
        Petition.objects.filter(anonymised_at__isnull=True, updated_at__lt=cutoff)
        .exclude(status__in=OPEN_STATUSES)
        .values_list("pk", flat=True)
    )


def petition_anonymise(*, petition_id: int) -> bool:
    """Remove the citizen's personal data; keep what the statistics need (dates, category,
    county, status, source). Idempotent."""
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition_id)
        if petition.anonymised_at:
            return False
        for attachment in petition.attachments.all():
            attachment.file.delete(save=False)
        petition.attachments.all().delete()
        petition.inbound_messages.update(
            raw=b"", body_text="", from_address="", subject="", parsed={}
        )
        petition.outbound_mails.update(to="", body="")
        petition.notes.update(text=ANONYMISED_TEXT)
        now = timezone.now()
        Petition.objects.filter(pk=petition.pk).update(
            citizen_name=ANONYMISED_NAME,
            citizen_email=f"anonymised-{petition.pk}@invalid.invalid",
            citizen_phone="",
            submitter_ip=None,
            subject=ANONYMISED_TEXT,
            body=ANONYMISED_TEXT,
            body_fingerprint="",
            reply_text=ANONYMISED_TEXT if petition.reply_text else "",
            anonymised_at=now,
        )
    return True


def case_received_mail(*, petition: Petition, query_code: str) -> OutboundMail:
    """Acknowledge an e-mailed petition: case number, query code and the reply address."""
    base = _setting("PETITIONS_PUBLIC_BASE_URL", "")
    subject, body = _render(
        "petitions/emails/received",
        {
            "petition": petition,
            "query_code": query_code,
            "link": base.rstrip("/") + "/petitions/progress/",
        },
    )
    return mail_queue(
        to=petition.citizen_email,
        subject=subject,
        body=body,
        kind="received",
        petition=petition,
        reply_to=reply_address(petition),
    )
