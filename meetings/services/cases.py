"""Directives and tracked cases (列管案件).

- The secretary records a directive (指示事項) on an agenda item: it becomes a tracked case
  numbered ``<ROC year>-<serial>`` (``core.sequences``, scope ``meetings:case``), with a lead
  unit, co-units and a due date; the lead unit's filers and officers are told.
- The lead unit and the co-units file 辦理情形 (progress) while the case is tracked.
- The controller proposes 解除列管 (close) or 繼續列管 (keep); the chair decides at a later
  meeting of the series, once per case and meeting. Where the series says so
  (``closure_needs_approval``) a close goes through the approval chain
  ``meetings.case_close`` (``documents.services.approval_start``): the case waits as
  *closing* and is closed when the chain is approved, back to tracked when it is returned.
- A case kept open is simply still open: ``selectors.carried_cases`` lists it in the next
  meeting's book with its whole history.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import roc_year
from core.sequences import next_value
from core.services import audit_record
from documents.services import approval_start
from notifications.services import notice_resolve

from .. import selectors
from ..choices import CaseStatus, DecisionApproval, MeetingStatus, Proposal, SearchKind
from ..constants import CASE_SEQUENCE, CLOSE_PURPOSE
from ..models import AgendaItem, CaseDecision, CaseProgress, Meeting, TrackedCase
from .notices import send, unit_filers
from .search import entry_upsert


def _index_case(case: TrackedCase) -> None:
    entry_upsert(
        kind=SearchKind.DIRECTIVE,
        source_id=case.pk,
        meeting=case.meeting,
        unit_id=case.lead_unit_id,
        title=case.number,
        text=case.directive,
        url=case.get_absolute_url(),
    )


@transaction.atomic
def directive_record(
    *,
    meeting: Meeting,
    actor,
    directive: str,
    lead_unit,
    due_date: date,
    co_units=(),
    item: AgendaItem | None = None,
) -> TrackedCase:
    if not selectors.is_secretary(actor, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.DRAFT:
        raise ValidationError({"__all__": _("Directives are recorded once the meeting is set.")})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": _("The agenda item is not of this meeting.")})
    if not directive.strip():
        raise ValidationError({"directive": _("Write the directive.")})
    year = roc_year(timezone.localtime(meeting.starts_at).date())
    serial = next_value(scope=CASE_SEQUENCE, year=year)
    case = TrackedCase(
        number=f"{year}-{serial:04d}",
        year=year,
        serial=serial,
        meeting=meeting,
        item=item,
        directive=directive.strip(),
        lead_unit=lead_unit,
        due_date=due_date,
        created_by=actor,
    )
    case.full_clean()
    case.save()
    case.co_units.set([u for u in co_units if u.pk != lead_unit.pk])
    _index_case(case)
    recipients = unit_filers(lead_unit)
    for unit in case.co_units.all():
        recipients += unit_filers(unit)
    send(
        "case_assigned",
        recipients=recipients,
        obj=case,
        context={"case": case},
        kind="todo",
        due=None,
    )
    return case


def may_file_progress(user, case: TrackedCase) -> bool:
    if case.status == CaseStatus.CLOSED:
        return False
    units = [case.lead_unit_id, *(u.pk for u in case.co_units.all())]
    return any(selectors.can_file(user, unit) for unit in units)


@transaction.atomic
def progress_file(*, case: TrackedCase, actor, text: str, unit=None) -> CaseProgress:
    """辦理情形 by the lead unit or a co-unit (``unit``: which one, default the lead unit or
    the first the actor files for)."""
    case = TrackedCase.objects.select_for_update().get(pk=case.pk)
    units = [case.lead_unit, *case.co_units.all()]
    mine = [u for u in units if selectors.can_file(actor, u)]
    if not mine:
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"text": _("The case is closed.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the progress.")})
    if unit is not None and unit not in mine:
        raise PermissionDenied
    progress = CaseProgress.objects.create(
        case=case, unit=unit or mine[0], text=text.strip(), author=actor
    )
    entry_upsert(
        kind=SearchKind.PROGRESS,
        source_id=progress.pk,
        meeting=case.meeting,
        unit_id=progress.unit_id,
        title=case.number,
        text=progress.text,
        url=case.get_absolute_url(),
    )
    notice_resolve(obj=case)
    return progress


@transaction.atomic
def case_propose(*, case: TrackedCase, actor, proposal: str) -> TrackedCase:
    if not selectors.is_controller(actor, case.meeting):
        raise PermissionDenied
    if proposal not in Proposal.values:
        raise ValidationError({"proposal": _("Propose to close or to keep tracking.")})
    changed = TrackedCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
        proposal=proposal, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError({"proposal": _("The case is not being tracked.")})
    case.refresh_from_db()
    return case


def may_decide(user, case: TrackedCase, meeting: Meeting) -> bool:
    return (
        selectors.is_chair(user, meeting)
        and case.status == CaseStatus.OPEN
        and meeting.series_id == case.meeting.series_id
        and meeting.starts_at > case.meeting.starts_at
        and not case.decisions.filter(meeting=meeting).exists()
    )


@transaction.atomic
def case_decide(
    *, case: TrackedCase, meeting: Meeting, actor, decision: str, comment: str = ""
) -> CaseDecision:
    """The chair's 解除列管 / 繼續列管 at ``meeting``, recorded once per case and meeting."""
    case = TrackedCase.objects.select_for_update().select_related("meeting__series").get(pk=case.pk)
    if not selectors.is_chair(actor, meeting):
        raise PermissionDenied
    if decision not in Proposal.values:
        raise ValidationError({"decision": _("Decide to close or to keep tracking.")})
    if not may_decide(actor, case, meeting):
        raise ValidationError(
            {
                "decision": _(
                    "This case cannot be decided at this meeting (already decided, "
                    "not tracked, or of another series)."
                )
            }
        )
    series = case.meeting.series
    record = CaseDecision.objects.create(
        case=case,
        meeting=meeting,
        proposal=case.proposal,
        decision=decision,
        comment=comment.strip(),
        decided_by=actor,
    )
    if decision == Proposal.CLOSE and series.closure_needs_approval:
        record.approval = DecisionApproval.PENDING
        record.save(update_fields=["approval"])
        case.status = CaseStatus.CLOSING
        case.save(update_fields=["status", "updated_at"])
        approval_start(
            target=record,
            purpose=CLOSE_PURPOSE,
            started_by=actor,
            subject=_("Close tracked case %(number)s") % {"number": case.number},
            requester_unit=series.unit,
        )
    elif decision == Proposal.CLOSE:
        _close(case, meeting)
    else:
        case.proposal = ""
        case.save(update_fields=["proposal", "updated_at"])
    audit_record(action="update", obj=case, actor=actor, message=f"meetings: chair {decision}")
    send(
        "case_decided",
        recipients=unit_filers(case.lead_unit),
        obj=case,
        context={"case": case, "decision": record},
    )
    return record


def _close(case: TrackedCase, meeting: Meeting) -> None:
    TrackedCase.objects.filter(pk=case.pk).exclude(status=CaseStatus.CLOSED).update(
        status=CaseStatus.CLOSED,
        closed_at=timezone.now(),
        closed_meeting=meeting,
        proposal="",
        updated_at=timezone.now(),
    )
    notice_resolve(obj=case)
    case.refresh_from_db()


def closure_approved(*, document, chain, outcome, comment, actor) -> None:
    """Hook of the approval engine: the chain approved the chair's close (idempotent)."""
    record = CaseDecision.objects.select_related("case", "meeting").get(pk=chain.target_object_id)
    updated = CaseDecision.objects.filter(pk=record.pk, approval=DecisionApproval.PENDING).update(
        approval=DecisionApproval.APPROVED
    )
    if updated:
        _close(record.case, record.meeting)


def closure_returned(*, document, chain, outcome, comment, actor) -> None:
    """Hook of the approval engine: the close was returned; the case is tracked again."""
    record = CaseDecision.objects.get(pk=chain.target_object_id)
    updated = CaseDecision.objects.filter(pk=record.pk, approval=DecisionApproval.PENDING).update(
        approval=DecisionApproval.RETURNED
    )
    if updated:
        TrackedCase.objects.filter(pk=record.case_id, status=CaseStatus.CLOSING).update(
            status=CaseStatus.OPEN, updated_at=timezone.now()
        )
