"""Writes of cases: intake, edits, transitions, attachments.

Every service takes ``actor=`` (a person, an ``ApiClient`` of one unit, or None for a trusted
internal caller such as the sign-off hook) and checks it itself, so the intake form, the API,
the CSV import and the admin share one rule (``selectors.covers``, ``selectors.may_make``).
Numbers come from ``core.sequences`` (scope ``labor_admin:<unit id>``, per ROC year of the
received date): gap-free, allocated in the transaction that saves the case. State changes are
conditional updates on the locked row; every change leaves a ``CaseEvent`` on the timeline.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_working_days, roc_year
from core.models import Organization
from core.sequences import next_value
from core.text import clean_line, normalise_phone
from documents.services import approval_start
from notifications.services import notice_resolve, notify

from ..choices import CaseSource, DeadlineKind
from ..constants import APPROVAL_PURPOSE, SEQUENCE_SCOPE, WRITE_ROLES
from ..models import Case, CaseEvent, CaseTransition, CaseType
from ..selectors import (
    counties_by_code,
    covers,
    divisions_by_code,
    handler_choices,
    industry_codes,
    is_client,
    may_make,
    type_fields,
)
from ..validators import business_id_is_valid, clean_case_data
from .counters import CaseState, counters_apply


def due_date(case_type: CaseType, received_on: dt.date) -> dt.date:
    """The statutory deadline: calendar days after ``received_on``, or working days over the
    holiday calendar (``core.dates``)."""
    if case_type.deadline_kind == DeadlineKind.WORKING:
        return add_working_days(received_on, case_type.deadline_days)
    return received_on + dt.timedelta(days=case_type.deadline_days)


def _person(actor):
    return None if actor is None or is_client(actor) else actor


def _client(actor):
    return actor if is_client(actor) else None


def _check_write(actor, unit) -> None:
    if actor is not None and not covers(actor, unit, WRITE_ROLES):
        raise PermissionDenied(_("You may not take in or change cases of this unit."))


def _clean_common(values: dict, *, unit: Organization, errors: dict) -> dict:
    """Checks of the common fields, keyed by the field name (the API's and the form's)."""
    out: dict = {}
    if "subject" in values:
        out["subject"] = clean_line(values["subject"])[:200]
        if not out["subject"]:
            errors["subject"] = _("Enter the subject of the case.")
    if "applicant_name" in values:
        out["applicant_name"] = clean_line(values["applicant_name"])[:100]
        if not out["applicant_name"]:
            errors["applicant_name"] = _("Enter the applicant's name.")
    if "applicant_phone" in values:
        out["applicant_phone"] = normalise_phone(values["applicant_phone"])[:40]
    if "employer_name" in values:
        out["employer_name"] = clean_line(values["employer_name"])[:200]
    if "employer_business_id" in values:
        value = clean_line(values["employer_business_id"])
        if value and not business_id_is_valid(value):
            errors["employer_business_id"] = _(
                "“%(value)s” is not a valid business ID (統一編號): eight digits with a valid "
                "check sum."
            ) % {"value": value}
        out["employer_business_id"] = value
    if "industry" in values:
        code = clean_line(values["industry"])
        out["industry"] = None
        if code:
            division = divisions_by_code().get(code)
            if division is None:
                errors["industry"] = _(
                    "“%(value)s” is not an industry division of the classification (two digits, "
                    "e.g. 25)."
                ) % {"value": code}
            else:
                out["industry"] = division
                out["industry_sector"] = division.sector.code
        else:
            out["industry_sector"] = ""
    if "county" in values:
        code = clean_line(values["county"])
        by_code = counties_by_code()
        if code:
            county = by_code.get(code)
        else:
            county = next((c for c in by_code.values() if c.pk == unit.county_id), None)
        if county is None:
            errors["county"] = _("Choose the county or city of the case (five-digit code).")
        out["county"] = county
    if "received_on" in values:
        received = values["received_on"]
        if not isinstance(received, dt.date):
            errors["received_on"] = _("Enter the date the case was received.")
        elif received > timezone.localdate():
            errors["received_on"] = _("The received date cannot be in the future.")
        out["received_on"] = received
    return out


@transaction.atomic
def case_create(
    *,
    actor,
    unit: Organization,
    case_type: CaseType,
    values: dict,
    handler=None,
    source: str = CaseSource.PAGE,
    external_id: str = "",
) -> Case:
    """Take in a case for ``unit``. ``values`` holds the common fields (``subject``,
    ``applicant_name``, ``applicant_phone``, ``employer_name``, ``employer_business_id``,
    ``industry`` (division code), ``county`` (code; default the unit's county),
    ``received_on`` (default today)) and ``data`` (the type's fields). Every problem is one
    ``ValidationError`` naming its fields; nothing is saved then."""
    _check_write(actor, unit)
    if not case_type.is_active:
        raise ValidationError({"case_type": _("This case type is no longer in use.")})
    client = _client(actor)
    if client is not None and external_id:
        existing = Case.objects.filter(api_client=client, external_id=external_id).first()
        if existing is not None:
            existing._existing = True
            return existing
    values = {"received_on": timezone.localdate(), "county": "", **values}
    for required in ("subject", "applicant_name"):
        values.setdefault(required, "")
    errors: dict = {}
    common = _clean_common(values, unit=unit, errors=errors)
    try:
        data = clean_case_data(
            type_fields(case_type), values.get("data"), industries=industry_codes()
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        data = {}
    if handler is not None and not handler_choices(unit).filter(pk=handler.pk).exists():
        errors["handler"] = _("The handler must be a case officer of the unit.")
    status = case_type.initial_status()
    if status is None:
        errors["case_type"] = _("This case type has no initial status.")
    if errors:
        raise ValidationError(errors)
    year = roc_year(common["received_on"])
    case = Case(
        year=year,
        case_type=case_type,
        unit=unit,
        status=status,
        is_open=not status.is_final,
        closed_on=common["received_on"] if status.is_final else None,
        handling_days=0 if status.is_final else None,
        due_on=due_date(case_type, common["received_on"]),
        data=data,
        handler=handler,
        source=source,
        external_id=clean_line(external_id)[:100],
        api_client=client,
        created_by=_person(actor),
        **common,
    )
    # Field checks only: every foreign key was resolved above from the selectors, and the
    # uniqueness of the number and serial is the database's (UniqueConstraint) and the
    # sequence's; asking again would cost one query per key and constraint on every intake.
    case.full_clean(exclude=_NOT_RECHECKED, validate_unique=False, validate_constraints=False)
    counters_apply(None, CaseState.of(case))
    # The unit's sequence row is locked until commit, so every intake of the unit waits for
    # it: take it last, when only the case and its timeline line are left to write.
    serial = next_value(scope=SEQUENCE_SCOPE.format(unit_id=unit.pk), year=year)
    case.serial = serial
    case.number = f"{unit.code}-{year:03d}-{serial:06d}"
    case.save(force_insert=True)
    event = CaseEvent.objects.create(
        case=case,
        to_status=status,
        message=_("Case received"),
        actor=_person(actor),
        api_client=client,
    )
    case._prefetched_objects_cache = {"events": [event]}  # the answer needs no query
    if handler is not None and handler != _person(actor):
        _tell_handler(case)
    return case


_NOT_RECHECKED = [
    "number", "year", "serial", "case_type", "unit", "county", "industry", "status",
    "handler", "pending_transition", "api_client", "created_by",
]  # fmt: skip


def _tell_handler(case: Case) -> None:
    notify(
        recipients=[case.handler],
        kind="todo",
        obj=case,
        title={
            "zh-hant": f"勞工行政案件待辦：{case.number} {case.subject}",
            "en": f"Labour case to handle: {case.number} {case.subject}",
        },
        body={
            "zh-hant": f"{case.case_type.name_zh}，處理期限 {case.due_on.isoformat()}。",
            "en": f"{case.case_type.name_en or case.case_type.name_zh}, due {case.due_on}.",
        },
        due=timezone.make_aware(dt.datetime.combine(case.due_on, dt.time(17, 0))),
    )


EDITABLE = (
    "subject",
    "applicant_name",
    "applicant_phone",
    "employer_name",
    "employer_business_id",
    "industry",
    "county",
    "received_on",
)


@transaction.atomic
def case_update(*, case: Case, actor, values: dict) -> Case:
    """Change the common fields, the type's fields (``data``, merged into what is there),
    ``handler`` (a user or None), ``outcome`` and ``amount`` of an open case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_write(actor, case.unit)
    if not case.is_open:
        raise ValidationError(_("A closed case cannot be changed."))
    errors: dict = {}
    common = _clean_common(
        {k: v for k, v in values.items() if k in EDITABLE}, unit=case.unit, errors=errors
    )
    if "data" in values:
        merged = {**case.data, **(values["data"] or {})}
        merged = {k: v for k, v in merged.items() if v not in (None, "")}
        try:
            common["data"] = clean_case_data(
                type_fields(case.case_type), merged, industries=industry_codes()
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    handler_changed = False
    if "handler" in values:
        handler = values["handler"]
        if handler is not None and not handler_choices(case.unit).filter(pk=handler.pk).exists():
            errors["handler"] = _("The handler must be a case officer of the unit.")
        handler_changed = handler != case.handler
        common["handler"] = handler
    if "outcome" in values:
        common["outcome"] = str(values["outcome"] or "")[:5000]
    if "amount" in values:
        amount = values["amount"]
        if amount is not None and (not isinstance(amount, int) or amount < 0):
            errors["amount"] = _("The amount must be a whole number of NT dollars, not negative.")
        common["amount"] = amount
    if errors:
        raise ValidationError(errors)
    before = CaseState.of(case)
    for key, value in common.items():
        setattr(case, key, value)
    if "received_on" in common:
        case.due_on = due_date(case.case_type, case.received_on)
    case.full_clean(exclude=["number", "year", "serial"])
    case.save()
    counters_apply(before, CaseState.of(case))
    CaseEvent.objects.create(
        case=case,
        message=_("Case details changed"),
        actor=_person(actor),
        api_client=_client(actor),
    )
    if handler_changed and case.handler is not None and case.handler != _person(actor):
        _tell_handler(case)
    return case


@transaction.atomic
def case_transition(*, case: Case, transition: CaseTransition, actor, comment: str = "") -> Case:
    """Move ``case`` along ``transition`` (from its current status). ``actor`` must hold the
    transition's role in the case's unit (an API client: officer transitions of its unit).
    A transition that needs sign-off starts an approval chain instead; the move happens when
    it is approved (``transition_approved``)."""
    case = Case.objects.select_for_update().select_related("status", "unit").get(pk=case.pk)
    comment = (comment or "").strip()[:5000]
    if transition.case_type_id != case.case_type_id or transition.from_status_id != case.status_id:
        raise ValidationError(
            {"transition": _("This transition is not possible from the case's current status.")}
        )
    if case.pending_transition_id:
        raise ValidationError({"transition": _("The case is waiting for a sign-off.")})
    if actor is not None and not may_make(actor, case, transition):
        raise PermissionDenied(_("You may not make this transition on this case."))
    if transition.comment_required and not comment:
        raise ValidationError({"comment": _("This transition needs a comment.")})
    if transition.requires_approval and actor is not None:
        Case.objects.filter(pk=case.pk, pending_transition__isnull=True).update(
            pending_transition=transition
        )
        CaseEvent.objects.create(
            case=case,
            transition=transition,
            message=_("Sent for sign-off: %(name)s") % {"name": transition.name},
            comment=comment,
            actor=_person(actor),
        )
        approval_start(
            target=case,
            purpose=APPROVAL_PURPOSE,
            started_by=actor,
            requester_unit=case.unit,
            subject=f"{case.number} {transition.name_zh}",
        )
        case.refresh_from_db()
        return case
    return _apply(case, transition, actor=actor, comment=comment)


def _apply(case: Case, transition: CaseTransition, *, actor, comment: str) -> Case:
    before = CaseState.of(case)
    to = transition.to_status
    today = timezone.localdate()
    closed_on = today if to.is_final else None
    handling = (today - case.received_on).days if to.is_final else None
    updated = Case.objects.filter(pk=case.pk, status_id=transition.from_status_id).update(
        status=to,
        is_open=not to.is_final,
        closed_on=closed_on,
        handling_days=handling,
        pending_transition=None,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise ValidationError({"transition": _("The case has already moved on.")})
    CaseEvent.objects.create(
        case=case,
        from_status_id=transition.from_status_id,
        to_status=to,
        transition=transition,
        message=transition.name,
        comment=comment,
        actor=_person(actor),
        api_client=_client(actor),
    )
    case.refresh_from_db()
    counters_apply(before, CaseState.of(case))
    if to.is_final:
        notice_resolve(obj=case)
    elif case.handler is not None and case.handler != _person(actor):
        notify(
            recipients=[case.handler],
            kind="information",
            obj=case,
            title={
                "zh-hant": f"案件 {case.number} 已{to.name_zh}",
                "en": f"Case {case.number}: {to.name_en or to.name_zh}",
            },
            body=comment or None,
        )
    return case


# --- the sign-off hook ---------------------------------------------------------------------


def transition_approved(*, document, chain, outcome, comment, actor):
    """The chain of a transition that needs sign-off was approved: make the move."""
    case = Case.objects.select_for_update().filter(pk=chain.target_object_id).first()
    if case is None or case.pending_transition_id is None:
        return
    transition = CaseTransition.objects.select_related("to_status").get(
        pk=case.pending_transition_id
    )
    if transition.from_status_id != case.status_id:
        Case.objects.filter(pk=case.pk).update(pending_transition=None)
        return
    _apply(case, transition, actor=None, comment=comment or "")


def transition_returned(*, document, chain, outcome, comment, actor):
    """The chain was returned or cancelled: the case stays where it is."""
    case = Case.objects.select_for_update().filter(pk=chain.target_object_id).first()
    if case is None or case.pending_transition_id is None:
        return
    Case.objects.filter(pk=case.pk).update(pending_transition=None)
    CaseEvent.objects.create(
        case=case,
        message=_("Sign-off returned"),
        comment=comment or "",
        actor=actor if getattr(actor, "pk", None) else None,
    )
