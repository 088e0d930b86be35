"""The life of a case: submit and confirm (web), open from mail, number, register and route,
and every staff action (assign, note, extend, reply through sign-off, reject, merge).

Contracts:

- Case numbers come from ``core.sequences.next_value(scope="petitions:case", year=<ROC year>)``
  inside the transaction that confirms or opens the case (gap-free; a rollback gives the
  number back). The query code is returned once, in clear, in a ``NumberedCase``; only its
  hash is stored.
- Every staff action takes ``actor=`` and checks it here, so pages, admin actions, the API and
  tasks share one rule (``Petition.objects.manageable_by`` for note/assign/extend,
  ``actionable_by`` for reply/reject/merge); a refusal is ``PermissionDenied``.
  ``actor=None`` means the system (tasks, the intake) and is only passed by internal code.
- A staff action may carry ``version`` (``petition_version`` of the case the form was built
  from): when the case changed since, nothing is done and a ``ValidationError`` with code
  ``stale`` says so, which makes a double submit harmless.
- Status changes are conditional updates on the locked row; each one adds a ``StatusEvent``.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.dates import add_working_days, roc_year
from core.models import Organization
from core.sequences import next_value
from core.text import clean_line, normalise_email, normalise_phone, phone_validate
from documents.choices import DocumentCategory
from documents.selectors import chain_template_for
from documents.services import (
    StepSpec,
    document_register,
    document_update,
    signoff_start,
    template_steps_resolve,
)
from notifications.services import notice_resolve

from ..choices import OPEN_STATUSES, PetitionSource, PetitionStatus
from ..constants import (
    CASE_NUMBER_SCOPE,
    CONFIRMATION_HOURS,
    MAX_CASE_SERIAL,
    REGISTER_GRACE_SECONDS,
    REPLY_PURPOSE,
    RESEND_MAX,
    RESEND_WINDOW_DAYS,
    TASK_REGISTER_CONFIRMED,
)
from ..models import DeadlineExtension, InternalNote, Petition, RoutingRule, StatusEvent
from ..selectors.staff import assignable_handlers, reply_signers
from . import abuse
from .attachments import public_attachments_check, public_attachments_save
from .mail import citizen_mail_queue, mail_queue, mail_render, public_link, reply_address
from .queue import enqueue_on_commit
from .survey import petition_survey_invite
from .tokens import (
    query_code_hash,
    query_code_matches,
    query_code_new,
    token_hash,
    url_token_new,
)

logger = logging.getLogger(__name__)

# --- Numbering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberedCase:
    """A case that has just been numbered, with its query code in clear: the one value the
    citizen's mail needs and the database never holds."""

    petition: Petition
    query_code: str


def case_number_format(*, year: int, serial: int) -> str:
    return f"{year:03d}-{serial:06d}"


def _number(petition: Petition, *, now) -> str:
    """Give ``petition`` the next case number of the ROC year of ``now`` (Taipei date) and a
    new query code; returns the code. Inside the caller's transaction."""
    year = roc_year(now)
    serial = next_value(scope=CASE_NUMBER_SCOPE, year=year, max_value=MAX_CASE_SERIAL)
    code = query_code_new()
    petition.roc_year = year
    petition.serial = serial
    petition.case_number = case_number_format(year=year, serial=serial)
    petition.query_code_hash = query_code_hash(code)
    return code


# --- Web: submit, confirm, look up ------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    petition: Petition
    already: bool  # the link had been used before: nothing changed, nothing sent


#: Errors of a database connection that died (terminated, network cut): the submission is
#: tried once more on a new connection.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def petition_submit(**kwargs) -> Petition:
    """``petition_submit_once`` (see there), tried once more when the database connection
    dies on the way (``OperationalError`` / ``InterfaceError``): the broken connection is
    closed, the uploads rewound and the whole submission run again on a new connection. The
    retry is harmless when the first attempt committed before the connection died: the
    submission key makes it return that petition. Inside a caller's transaction there is
    nothing to retry and the error propagates; so does a second failure (the view then shows
    the form again with what the citizen typed)."""
    try:
        return petition_submit_once(**kwargs)
    except CONNECTION_ERRORS:
        if connection.in_atomic_block:
            raise
        logger.warning("petition submission: database connection lost, trying once more")
        connection.close()
        for upload in kwargs.get("attachments") or ():
            if hasattr(upload, "seek"):
                upload.seek(0)
        return petition_submit_once(**kwargs)


def petition_submit_once(
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    category,
    county,
    consent: bool,
    phone: str = "",
    attachments=(),
    ip: str | None = None,
    honeypot: str = "",
    base_url: str = "",
    language: str | None = None,
    form_token: str = "",
) -> Petition:
    """Save a web petition waiting for e-mail confirmation and mail the confirmation link.

    Idempotent per form: ``form_token`` (the form's one-time token) with the sender and the
    text make ``submission_key``, unique in the database. The same form sent again — a
    double click, two simultaneous POSTs, a retry after a lost connection — returns the first
    petition and sends nothing more: sequentially through the near-duplicate check, at the
    same instant because the second INSERT violates the unique key.

    Name and subject are cleaned by ``core.text.clean_line`` (no bidirectional controls), the
    e-mail address and phone by ``normalise_email`` / ``normalise_phone`` (NFKC), and the
    phone is validated. Refusals, in this order: honeypot filled, blocked sender, missing
    consent, invalid phone, attachments, rate limit, near-duplicate of the sender's recent
    petition. Nothing is saved when anything is refused."""
    email = normalise_email(email)
    name, subject = clean_line(name), clean_line(subject)
    phone = normalise_phone(phone)
    abuse.check_honeypot(honeypot)
    abuse.check_blocked(email=email, ip=ip)
    if not consent:
        raise ValidationError(
            {
                "consent": _(
                    "Please agree to the privacy notice so that we can handle your petition."
                )
            }
        )
    if phone:
        try:
            phone_validate(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc}) from exc
    uploads = public_attachments_check(attachments)
    abuse.check_submission_rate(email=email, ip=ip)
    fingerprint = abuse.normalise_text(subject + "\n" + body)
    key = submission_key(form_token=form_token, email=email, fingerprint=fingerprint)
    earlier = abuse.check_duplicate(email=email, fingerprint=fingerprint, submission_key=key)
    if earlier is not None:
        return earlier
    try:
        return _petition_create(
            name=name,
            email=email,
            phone=phone,
            subject=subject,
            body=body,
            category=category,
            county=county,
            uploads=uploads,
            ip=ip,
            fingerprint=fingerprint,
            key=key,
            base_url=base_url,
            language=language,
        )
    except IntegrityError:
        earlier = Petition.objects.filter(submission_key=key).first() if key else None
        if earlier is None:
            raise
        return earlier


def submission_key(*, form_token: str, email: str, fingerprint: str) -> str | None:
    """SHA-256 of the form's token, the lower-cased sender and the text fingerprint; None
    without a token. The text is part of it, so a form reused (browser back) for another
    petition is another submission."""
    form_token = (form_token or "").strip()
    if not form_token:
        return None
    return token_hash("\0".join([form_token[:200], email.lower(), fingerprint]))


def _petition_create(
    *,
    name,
    email,
    phone,
    subject,
    body,
    category,
    county,
    uploads,
    ip,
    fingerprint,
    key,
    base_url,
    language,
) -> Petition:
    token = url_token_new()
    now = timezone.now()
    with transaction.atomic():
        petition = Petition(
            source=PetitionSource.WEB,
            status=PetitionStatus.PENDING_CONFIRMATION,
            citizen_name=name,
            citizen_email=email,
            citizen_phone=phone,
            subject=subject,
            body=body or "",
            category=category,
            county=county,
            consent=True,
            consent_at=now,
            confirmation_token_hash=token_hash(token),
            confirmation_expires_at=now + timedelta(hours=CONFIRMATION_HOURS),
            submitter_ip=ip,
            body_fingerprint=fingerprint,
            submission_key=key,
        )
        # Every field is validated. Not repeated here: the existence queries of the two foreign
        # keys (the form has just loaded both objects) and the queries validating the model's
        # constraints (they concern status, case number and merge target, which this code sets
        # to constants; the database enforces them anyway and the block rolls back whole).
        # The submission key's uniqueness is the database's to check (the race this is for).
        petition.full_clean(
            exclude=["category", "county", "submission_key"], validate_constraints=False
        )
        petition.save()
        public_attachments_save(petition=petition, uploads=uploads)
        citizen_mail_queue(
            petition=petition,
            template="petitions/emails/confirm",
            context={
                "link": public_link(reverse("petitions:confirm", args=[token]), base_url=base_url),
                "hours": CONFIRMATION_HOURS,
            },
            language=language,
        )
    return petition


def petition_confirm(
    *, token: str, base_url: str = "", language: str | None = None
) -> Confirmation:
    """Confirm by the e-mailed link: number the case, make its query code, mail both, and
    hand the case to registration (task ``petitions.register_confirmed`` after commit, so the
    citizen's confirmation never fails because registration does).

    A second use of the link changes nothing (``already=True``); an unknown or expired link is
    a ``ValidationError``."""
    digest = token_hash(token or "")
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update().filter(confirmation_token_hash=digest).first()
        )
        if petition is None or not token:
            raise ValidationError(
                _(
                    "This confirmation link is not valid. Please copy the whole link from "
                    "the e-mail; if you asked for the link again, use the newest e-mail."
                ),
                code="invalid",
            )
        if petition.status != PetitionStatus.PENDING_CONFIRMATION:
            return Confirmation(petition=petition, already=True)
        now = timezone.now()
        if petition.confirmation_expires_at and petition.confirmation_expires_at < now:
            raise ValidationError(
                _(
                    "This confirmation link has expired (links are valid for %(hours)d hours). "
                    "You can ask for a new link."
                ),
                code="expired",
                params={"hours": CONFIRMATION_HOURS},
            )
        code = _number(petition, now=now)
        petition.status = PetitionStatus.RECEIVED
        petition.confirmed_at = now
        petition.full_clean()
        petition.save()
        StatusEvent.objects.create(petition=petition, status=PetitionStatus.RECEIVED)
        citizen_mail_queue(
            petition=petition,
            template="petitions/emails/case_number",
            context={
                "query_code": code,
                "link": public_link(reverse("petitions:progress"), base_url=base_url),
            },
            language=language,
        )
        enqueue_on_commit(TASK_REGISTER_CONFIRMED, petition_id=petition.pk)
    return Confirmation(petition=petition, already=False)


def confirmation_resend(
    *, email: str, ip: str | None = None, base_url: str = "", language: str | None = None
) -> int:
    """Send the confirmation link again for every petition from ``email`` still waiting for
    confirmation (submitted in the last ``RESEND_WINDOW_DAYS``, at most ``RESEND_MAX``): each
    gets a new link, valid ``CONFIRMATION_HOURS`` from now, and the old one stops working.
    Returns how many were sent; the caller tells the citizen the same thing either way, so
    nobody learns whether an address has written to us. Limited per address and network
    (``abuse.check_resend_rate``)."""
    email = normalise_email(email)
    abuse.check_resend_rate(email=email, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Petition.objects.select_for_update()
            .filter(
                status=PetitionStatus.PENDING_CONFIRMATION,
                citizen_email__iexact=email,
                anonymised_at=None,
                created_at__gte=now - timedelta(days=RESEND_WINDOW_DAYS),
            )
            .order_by("-created_at", "-pk")[:RESEND_MAX]
        )
        for petition in waiting:
            token = url_token_new()
            petition.confirmation_token_hash = token_hash(token)
            petition.confirmation_expires_at = now + timedelta(hours=CONFIRMATION_HOURS)
            petition.save(
                update_fields=["confirmation_token_hash", "confirmation_expires_at", "updated_at"]
            )
            citizen_mail_queue(
                petition=petition,
                template="petitions/emails/confirm",
                context={
                    "link": public_link(
                        reverse("petitions:confirm", args=[token]), base_url=base_url
                    ),
                    "hours": CONFIRMATION_HOURS,
                    "resent": True,
                },
                language=language,
            )
    return len(waiting)


def query_code_resend(
    *,
    case_number: str,
    email: str,
    ip: str | None = None,
    base_url: str = "",
    language: str | None = None,
) -> bool:
    """A new query code for the case ``case_number``, e-mailed to the address the petition
    came from, when ``email`` is that address (compared without case). The old code stops
    working; a note on the case tells staff. Returns whether a code was sent; the caller
    answers the same either way. Limited per address, network and case number."""
    case_number = (case_number or "").strip()
    email = normalise_email(email)
    abuse.check_resend_rate(email=email, ip=ip, case_number=case_number)
    with transaction.atomic():
        petition = (
            Petition.objects.confirmed()
            .select_for_update()
            .filter(case_number=case_number, anonymised_at=None)
            .first()
            if case_number
            else None
        )
        matches = petition is not None and hmac.compare_digest(
            email.casefold().encode(), normalise_email(petition.citizen_email).casefold().encode()
        )
        if not matches:
            return False
        code = query_code_new()
        petition.query_code_hash = query_code_hash(code)
        petition.save(update_fields=["query_code_hash", "updated_at"])
        InternalNote.objects.create(
            petition=petition,
            text=str(_("The citizen asked for a new query code; it was e-mailed to them.")),
        )
        citizen_mail_queue(
            petition=petition,
            template="petitions/emails/query_code",
            context={
                "query_code": code,
                "link": public_link(reverse("petitions:progress"), base_url=base_url),
            },
            language=language,
        )
    return True


def petition_lookup(
    *, case_number: str, query_code: str, ip: str | None = None, email: str = ""
) -> Petition:
    """The case whose number and query code both match; else one message that does not say
    which was wrong. The code is compared with the password hasher (constant time), also when
    the case does not exist. Guessing is slowed down per address (``abuse.check_lookup_rate``)
    and, after repeated failures on a case number, the sender's ``email`` is asked for too
    (code ``proof_required``): a case is never locked for its owner."""
    case_number = (case_number or "").strip()
    abuse.check_lookup_rate(ip=ip, case_number=case_number)
    petition = (
        Petition.objects.confirmed().filter(case_number=case_number).first()
        if case_number
        else None
    )
    matches = query_code_matches(query_code, petition.query_code_hash if petition else None)
    proof_required = abuse.lookup_proof_required(case_number=case_number)
    proven = not proof_required or (
        petition is not None
        and bool(email)
        and hmac.compare_digest(
            normalise_email(email).casefold().encode(),
            normalise_email(petition.citizen_email).casefold().encode(),
        )
    )
    if petition is None or not matches or petition.anonymised_at or not proven:
        abuse.lookup_failure_record(ip=ip, case_number=case_number)
        if proof_required:
            raise ValidationError(
                _(
                    "There have been several wrong attempts for this case number. To open it, "
                    "enter the case number, the query code and the e-mail address you sent "
                    "the petition from."
                ),
                code="proof_required",
            )
        raise ValidationError(
            _("The case number and query code do not match any case. Please check both."),
            code="no_match",
        )
    return petition


# --- Mail: open a case --------------------------------------------------------------------------


def petition_open_from_mail(
    *, source: str, citizen_name: str, citizen_email: str, subject: str, body: str
) -> NumberedCase:
    """A received, numbered case from an e-mailed petition (inside the caller's transaction:
    the intake's, which also stores the message); name and subject cleaned by
    ``core.text.clean_line``, the address by ``normalise_email``. ``ValidationError`` when the
    data cannot make a valid case."""
    now = timezone.now()
    petition = Petition(
        source=source,
        status=PetitionStatus.RECEIVED,
        citizen_name=clean_line(citizen_name)[:100],
        citizen_email=normalise_email(citizen_email),
        subject=(clean_line(subject) or str(_("(no subject)")))[:200],
        body=body or str(_("(empty message)")),
        confirmed_at=now,
    )
    code = _number(petition, now=now)
    petition.full_clean(exclude=["category", "county"])
    petition.save()
    StatusEvent.objects.create(petition=petition, status=PetitionStatus.RECEIVED)
    return NumberedCase(petition=petition, query_code=code)


def received_mail_queue(*, numbered: NumberedCase) -> None:
    """Acknowledge an e-mailed petition: case number, query code and the reply address."""
    petition = numbered.petition
    subject, body = mail_render(
        "petitions/emails/received",
        {
            "petition": petition,
            "query_code": numbered.query_code,
            "link": public_link(reverse("petitions:progress")),
        },
    )
    mail_queue(
        to=petition.citizen_email,
        subject=subject,
        body=body,
        kind="received",
        petition=petition,
        reply_to=reply_address(petition),
    )


# --- Registration, routing, deadline --------------------------------------------------------------


def default_unit() -> Organization:
    code = settings.PETITIONS_DEFAULT_UNIT
    unit = Organization.objects.filter(code=code).first() if code else None
    return unit or Organization.objects.filter(parent__isnull=True).order_by("sort_order").first()


def route(*, petition: Petition) -> tuple[Organization, int]:
    """The handling unit and the deadline in working days: the category's active routing
    rule, else ``PETITIONS_DEFAULT_UNIT`` (or the top unit) and
    ``PETITIONS_DEADLINE_WORKING_DAYS``."""
    days = settings.PETITIONS_DEADLINE_WORKING_DAYS
    rule = None
    if petition.category_id:
        rule = RoutingRule.objects.filter(category_id=petition.category_id, active=True).first()
    if rule is None:
        return default_unit(), days
    return rule.unit, rule.working_days or days


def petition_register_confirmed(*, petition: Petition | int) -> Petition:
    """Register a confirmed case in documents (idempotent: once registered, nothing changes),
    route it to a unit by its category and set its deadline in working days from the
    confirmation date. ``petition`` is a case or its id. Run by the system (after a web
    confirmation, by the intake, before a first reply)."""
    pk = petition.pk if isinstance(petition, Petition) else petition
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=pk)
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


def registrations_due(*, now=None) -> list[int]:
    """Ids of confirmed cases that should have been handed to registration by now (confirmed
    more than ``REGISTER_GRACE_SECONDS`` ago, still without a register entry), oldest first."""
    cutoff = (now or timezone.now()) - timedelta(seconds=REGISTER_GRACE_SECONDS)
    return list(
        Petition.objects.confirmed()
        .filter(document__isnull=True, confirmed_at__lte=cutoff, anonymised_at=None)
        .order_by("confirmed_at", "pk")
        .values_list("pk", flat=True)
    )


# --- Staff actions: shared rules ---------------------------------------------------------------


def petition_version(petition: Petition) -> str:
    """The token a staff form carries to detect a case changed since the page was built."""
    return petition.updated_at.isoformat() if petition.updated_at else ""


def _authorise(actor, petition: Petition, rule: str) -> None:
    """``rule`` is ``"manage"`` or ``"act"``; ``actor=None`` is the system."""
    if actor is None:
        return
    queryset = (
        Petition.objects.manageable_by(actor)
        if rule == "manage"
        else Petition.objects.actionable_by(actor)
    )
    if not queryset.filter(pk=petition.pk).exists():
        raise PermissionDenied(_("You may not change this case."))


def _lock(petition: Petition, *, actor, rule: str, version: str | None) -> Petition:
    """The case's row, locked, after the actor and the version were checked."""
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    _authorise(actor, locked, rule)
    if version is not None and version != petition_version(locked):
        raise ValidationError(
            _(
                "The case was changed after this page was opened (perhaps the form was sent "
                "twice), so nothing was saved. Check the case and try again if needed."
            ),
            code="stale",
        )
    return locked


def _touch(petition: Petition) -> None:
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(updated_at=now)
    petition.updated_at = now


def _event(petition: Petition, status: str, *, actor=None, note: str = "") -> None:
    """Record the status change; a case that is no longer open closes its staff to-dos (the
    deadline reminders)."""
    StatusEvent.objects.create(petition=petition, status=status, actor=actor, public_note=note)
    if status not in OPEN_STATUSES:
        notice_resolve(obj=petition)


def _set_status(petition: Petition, *, new: str, allowed, actor=None, note: str = "") -> None:
    """Conditional update (row count checked): a concurrent change wins, this one refuses."""
    now = timezone.now()
    changed = Petition.objects.filter(pk=petition.pk, status__in=list(allowed)).update(
        status=new, updated_at=now
    )
    if not changed:
        raise ValidationError(
            _("The case is %(status)s now; this action is not possible."),
            params={"status": petition.get_status_display()},
            code="status",
        )
    petition.status = new
    petition.updated_at = now
    _event(petition, new, actor=actor, note=note)


def _require_open(petition: Petition) -> None:
    if petition.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The case is %(status)s now; this action is not possible."),
            params={"status": petition.get_status_display()},
            code="status",
        )


# --- Staff actions -------------------------------------------------------------------------------


def petition_assign(*, petition: Petition, handler, actor, version: str | None = None) -> Petition:
    """Give the case to ``handler`` (one of ``selectors.staff.assignable_handlers``); a
    received case becomes *assigned*. Assigning the current handler again changes nothing."""
    with transaction.atomic():
        petition = _lock(petition, actor=actor, rule="manage", version=version)
        _require_open(petition)
        if not assignable_handlers(petition).filter(pk=handler.pk).exists():
            raise ValidationError(
                {"handler": _("This person does not handle petitions of the case's unit.")}
            )
        if petition.handler_id == handler.pk:
            return petition
        if petition.handling_unit_id is None and handler.organization_id:
            petition.handling_unit_id = handler.organization_id
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


def note_add(*, petition: Petition, text: str, actor, version: str | None = None) -> InternalNote:
    """An internal note by ``actor`` (staff only; never shown to the citizen)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    with transaction.atomic():
        petition = _lock(petition, actor=actor, rule="manage", version=version)
        note = InternalNote(petition=petition, author=actor, text=text)
        note.full_clean()
        note.save()
        _touch(petition)
    return note


def extension_days_error(working_days) -> ValidationError | None:
    """Why ``working_days`` is not a valid extension (a whole number from 1 to
    ``PETITIONS_MAX_EXTENSION_WORKING_DAYS``), or None. The message names the field."""
    limit = settings.PETITIONS_MAX_EXTENSION_WORKING_DAYS
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        return ValidationError(
            _("Working days: extend by at least one working day."), code="min_value"
        )
    if working_days > limit:
        return ValidationError(
            _(
                "Working days: one extension can be at most %(max)d working days "
                "(you entered %(value)d)."
            ),
            code="max_value",
            params={"max": limit, "value": working_days},
        )
    return None


def deadline_extend(
    *, petition: Petition, working_days: int, reason: str, actor, version: str | None = None
) -> DeadlineExtension:
    """Move the deadline ``working_days`` working days later (1 to
    ``PETITIONS_MAX_EXTENSION_WORKING_DAYS``), with a reason; the document's deadline follows
    and every extension is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    error = extension_days_error(working_days)
    if error is not None:
        raise ValidationError({"working_days": error})
    with transaction.atomic():
        petition = _lock(petition, actor=actor, rule="manage", version=version)
        _require_open(petition)
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
            document_update(document=petition.document, deadline=new)
    return extension


def reply_steps(*, petition: Petition, author, signers=()) -> list[StepSpec]:
    """The sign-off plan of a reply by ``author``: the ``signers`` the author chose (people of
    ``selectors.staff.reply_signers``, one order each, in the given order), then the steps of
    the chain template of purpose ``petitions.reply`` resolved for the case's handling unit
    (default template: that unit's head; when the head is the author, the head above).

    The author is never a signer: a person step naming the author is dropped, a role step
    that only the author could take is refused, and a plan left without another person is
    a ``ValidationError`` on ``signers``."""
    allowed = reply_signers(petition, author=author)
    chosen = list(signers)
    outside = [u for u in chosen if not allowed.filter(pk=u.pk).exists()]
    if outside:
        raise ValidationError(
            {
                "signers": _("%(names)s cannot sign off this reply: choose people the form offers.")
                % {"names": ", ".join(str(u) for u in outside)}
            }
        )
    author_id = getattr(author, "pk", None)
    try:
        template = chain_template_for(purpose=REPLY_PURPOSE)
        route = template_steps_resolve(
            template=template, requester=author, requester_unit=petition.handling_unit
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                "signers": _(
                    "The reply's sign-off route (chain template “%(purpose)s”) cannot be "
                    "used for this case: %(reason)s"
                )
                % {"purpose": REPLY_PURPOSE, "reason": " ".join(exc.messages)}
            }
        ) from exc
    steps = [StepSpec(order=i, user=u) for i, u in enumerate(chosen, start=1)]
    shift = len(chosen)
    for spec in route:
        if spec.user is not None:
            if spec.user.pk == author_id or any(u.pk == spec.user.pk for u in chosen):
                continue
        elif not authz.role_holders(spec.role.code, spec.unit).exclude(pk=author_id).exists():
            raise ValidationError(
                {
                    "signers": _(
                        "No one but you holds the role “%(role)s” that signs off replies; "
                        "ask an administrator to fix the route."
                    )
                    % {"role": spec.role}
                }
            )
        steps.append(
            StepSpec(order=spec.order + shift, user=spec.user, unit=spec.unit, role=spec.role)
        )
    if not steps:
        raise ValidationError(
            {"signers": _("A reply must be signed off by someone other than its author.")}
        )
    return steps


def reply_submit(
    *, petition: Petition, text: str, actor, signers=(), version: str | None = None
) -> Petition:
    """Save the reply and send it through a sign-off chain on the case's document along
    ``reply_steps`` (the chosen signers, then the ``petitions.reply`` route). The author
    never signs off their own reply (``reply_approve_check``); the citizen gets it only when
    the chain completes."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    if actor is None:
        raise PermissionDenied(_("A reply needs an author."))
    with transaction.atomic():
        petition = _lock(petition, actor=actor, rule="act", version=version)
        if petition.status not in OPEN_STATUSES or petition.status == PetitionStatus.REPLIED:
            raise ValidationError(
                _("The case is %(status)s now; this action is not possible."),
                params={"status": petition.get_status_display()},
                code="status",
            )
        steps = reply_steps(petition=petition, author=actor, signers=signers)
        if petition.document_id is None:
            petition_register_confirmed(petition=petition)
            petition.refresh_from_db()
        petition.reply_text = text
        petition.save(update_fields=["reply_text", "updated_at"])
        _set_status(petition, new=PetitionStatus.REPLIED, allowed=OPEN_STATUSES, actor=actor)
        signoff_start(
            document=petition.document,
            started_by=actor,
            steps=steps,
            requester_unit=petition.handling_unit,
        )
    return petition


def reply_approve_check(*, chain, step, actor) -> None:
    """documents hook: the person who submitted a reply (the chain's originator) may not
    approve any step of it, whatever right they hold on the step (a role, a delegation, a
    forwarded step)."""
    if actor is not None and chain.started_by_id == actor.pk:
        raise PermissionDenied(_("You wrote this reply: someone else must sign it off."))


def reply_signoff_approved(*, document, chain, outcome, comment, actor) -> None:
    """documents hook: the chain is complete → the case is answered, the reply goes to the
    citizen (with the case's reply address), then the survey link."""
    petition = Petition.objects.select_for_update().filter(document=document).first()
    if petition is None or petition.status != PetitionStatus.REPLIED:
        return
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(
        status=PetitionStatus.ANSWERED, replied_at=now, updated_at=now
    )
    petition.status = PetitionStatus.ANSWERED
    petition.replied_at = now
    _event(petition, PetitionStatus.ANSWERED, actor=actor)
    subject, body = mail_render("petitions/emails/reply", {"petition": petition})
    mail_queue(
        to=petition.citizen_email,
        subject=subject,
        body=body,
        kind="reply",
        petition=petition,
        reply_to=reply_address(petition),
    )
    petition_survey_invite(petition=petition)


def reply_signoff_returned(*, document, chain, outcome, comment, actor) -> None:
    """documents hook: the chain was returned → the case is back *in progress*, the comment
    kept as a note."""
    petition = Petition.objects.select_for_update().filter(document=document).first()
    if petition is None or petition.status != PetitionStatus.REPLIED:
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


def petition_reject(
    *, petition: Petition, reason: str, actor, version: str | None = None
) -> Petition:
    """Close an open case as *rejected*; the reason is shown to the citizen."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    with transaction.atomic():
        petition = _lock(petition, actor=actor, rule="act", version=version)
        _set_status(
            petition, new=PetitionStatus.REJECTED, allowed=OPEN_STATUSES, actor=actor, note=reason
        )
        Petition.objects.filter(pk=petition.pk).update(reject_reason=reason)
        petition.reject_reason = reason
    return petition


def petition_merge(
    *, petition: Petition, into: Petition, actor, version: str | None = None
) -> Petition:
    """Close ``petition`` as *merged* into ``into`` (which the actor may act on too), with a
    note on the target. Both rows are locked in pk order."""
    if petition.pk == into.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    with transaction.atomic():
        first, second = sorted([petition.pk, into.pk])
        list(Petition.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))
        petition = _lock(petition, actor=actor, rule="act", version=version)
        into = Petition.objects.get(pk=into.pk)
        _authorise(actor, into, "act")
        if into.status == PetitionStatus.MERGED:
            raise ValidationError({"into": _("That case is itself merged; choose its target.")})
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
