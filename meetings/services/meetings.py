"""Meetings, their agenda and the filing window.

A meeting goes draft → open for filing → closed for filing → held → minutes published. Only
a controller (``meetings.controller`` covering the series' organising unit) creates meetings,
opens and closes filing; the secretary (the meeting's or a ``meetings.secretary``) and the
controller add agenda items, record decisions and mark the meeting held. State changes are
conditional updates: a second submit of the same change finds nothing to change.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import roc_year
from core.sequences import next_value
from core.text import clean_line

from .. import selectors
from ..choices import MeetingStatus, SearchKind
from ..models import AgendaItem, Meeting, MeetingSeries, UnitReport
from .notices import send, unit_filers
from .search import entry_upsert


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _move(meeting: Meeting, frm: set[str], to: str, **fields) -> Meeting:
    changed = Meeting.objects.filter(pk=meeting.pk, status__in=frm).update(status=to, **fields)
    if not changed:
        raise ValidationError(
            {"status": _("The meeting is no longer in a state that allows this.")}
        )
    meeting.refresh_from_db()
    return meeting


def can_organise(user, meeting: Meeting) -> bool:
    return selectors.is_controller(user, meeting) or selectors.is_secretary(user, meeting)


@transaction.atomic
def meeting_create(
    *,
    series: MeetingSeries,
    actor,
    title: str,
    starts_at: datetime,
    place: str = "",
    chair=None,
    secretary=None,
    attendees=(),
    ends_at: datetime | None = None,
) -> Meeting:
    _require(selectors.is_controller(actor, series))
    year = roc_year(timezone.localtime(starts_at).date())
    meeting = Meeting(
        series=series,
        year=year,
        sequence=next_value(scope=f"meetings:meeting:{series.pk}", year=year),
        title=clean_line(title),
        starts_at=starts_at,
        ends_at=ends_at,
        place=clean_line(place),
        chair=chair,
        secretary=secretary,
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, actor, title: str, description: str = "", unit=None
) -> AgendaItem:
    _require(can_organise(actor, meeting))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    last = meeting.items.aggregate(n=Max("order"))["n"] or 0
    item = AgendaItem(
        meeting=meeting,
        order=last + 1,
        title=clean_line(title),
        description=description,
        unit=unit,
    )
    item.full_clean()
    item.save()
    _index_item(item)
    return item


def _index_item(item: AgendaItem) -> None:
    entry_upsert(
        kind=SearchKind.AGENDA,
        source_id=item.pk,
        meeting=item.meeting,
        unit_id=item.unit_id,
        title=item.title,
        text="\n".join(x for x in (item.title, item.description, item.decision) if x),
        url=item.meeting.get_absolute_url() + f"#item-{item.pk}",
    )


@transaction.atomic
def item_decision_record(*, item: AgendaItem, actor, decision: str) -> AgendaItem:
    """The secretary writes the decision (決議) of an agenda item."""
    _require(selectors.is_secretary(actor, item.meeting))
    item.decision = decision.strip()
    item.full_clean()
    item.save(update_fields=["decision"])
    _index_item(item)
    return item


@transaction.atomic
def filing_open(*, meeting: Meeting, actor, deadline: datetime, units) -> Meeting:
    """Open the meeting for filing until ``deadline`` by ``units`` (one report each, in the
    order given); the units' filers and officers are told. Opening again moves the deadline
    and adds units; reports already written are kept."""
    _require(selectors.is_controller(actor, meeting))
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose the units that must file.")})
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("The filing deadline must be in the future.")})
    if deadline > meeting.starts_at:
        raise ValidationError({"deadline": _("The filing deadline must be before the meeting.")})
    meeting = _move(
        meeting,
        {MeetingStatus.DRAFT, MeetingStatus.FILING},
        MeetingStatus.FILING,
        filing_deadline=deadline,
    )
    existing = set(meeting.reports.values_list("unit_id", flat=True))
    start = len(existing)
    for offset, unit in enumerate(u for u in units if u.pk not in existing):
        report = UnitReport.objects.create(meeting=meeting, unit=unit, order=start + offset + 1)
        send(
            "filing_opened",
            recipients=unit_filers(unit),
            obj=report,
            context={"meeting": meeting, "report": report},
            kind="todo",
            due=deadline,
        )
    return meeting


@transaction.atomic
def filing_close(*, meeting: Meeting, actor) -> Meeting:
    _require(selectors.is_controller(actor, meeting))
    return _move(meeting, {MeetingStatus.FILING}, MeetingStatus.FILING_CLOSED)


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor) -> Meeting:
    _require(can_organise(actor, meeting))
    return _move(meeting, {MeetingStatus.FILING, MeetingStatus.FILING_CLOSED}, MeetingStatus.HELD)


@transaction.atomic
def minutes_publish(*, meeting: Meeting, actor) -> Meeting:
    _require(can_organise(actor, meeting))
    meeting = _move(meeting, {MeetingStatus.HELD}, MeetingStatus.MINUTES)
    send(
        "minutes",
        recipients=list(meeting.attendees.all()) + [u for u in (meeting.chair,) if u],
        obj=meeting,
        context={"meeting": meeting},
    )
    return meeting
