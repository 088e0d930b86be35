"""Reads of meeting tracking: who sees which meeting, report, book and case.

- **Full readers** of a meeting read its agenda, every unit's material, its books and the
  screen: holders of ``meetings.executive`` or ``meetings.secretary`` (anywhere), holders of
  ``meetings.controller`` covering the series' organising unit, the chair, the secretary and
  the attendees.
- A **unit** (its members, its filers and its head and deputies) sees the meetings it must file
  for and its own report, never another unit's, unless it is also a full reader.
- **Tracked cases**: executives and secretaries all; controllers those of their series; the
  lead unit and the co-units theirs.
- Who may **write** is decided in the services (``can_file``, ``is_controller``...), the same
  functions the pages use to show or hide a form.

Every page, the API and the search use these functions.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import authz
from accounts.models import UnitOfficer
from core.models import Organization

from .choices import CaseStatus, MeetingStatus
from .models import (
    AgendaItem,
    CaseDecision,
    CaseProgress,
    Meeting,
    MeetingBook,
    MeetingSeries,
    PersonalNote,
    SearchEntry,
    TrackedCase,
    UnitReport,
)
from .roles import CONTROLLER, EXECUTIVE, FILER, SECRETARY
from .search import Hit, newest, snippet


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def reads_everything(user) -> bool:
    """Executives and secretaries (and superusers) read every meeting and case."""
    return authz.has_role(user, EXECUTIVE) or authz.has_role(user, SECRETARY)


def own_units(user) -> set[int]:
    """The units whose material ``user`` sees as their own: their unit, the units their
    ``meetings.filer`` role covers, the units they head or deputise."""
    if not _active(user):
        return set()
    units = set(authz.units_where(user, FILER)) if authz.has_role(user, FILER) else set()
    if user.organization_id:
        units.add(user.organization_id)
    units.update(UnitOfficer.objects.filter(user=user).values_list("unit_id", flat=True))
    return units


def can_file(user, unit) -> bool:
    """Whether ``user`` may write the material and case progress of ``unit``: a
    ``meetings.filer`` covering it, or its head or a deputy."""
    return authz.has_role(user, FILER, unit) or authz.is_unit_officer(user, unit)


def is_controller(user, meeting_or_series) -> bool:
    series = getattr(meeting_or_series, "series", meeting_or_series)
    return authz.has_role(user, CONTROLLER, series.unit_id)


def controlled_series(user) -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.filter(authz.scope_q(user, CONTROLLER)).order_by("code")


def is_secretary(user, meeting: Meeting) -> bool:
    return _active(user) and (meeting.secretary_id == user.pk or authz.has_role(user, SECRETARY))


def is_chair(user, meeting: Meeting) -> bool:
    return _active(user) and (meeting.chair_id == user.pk or user.is_superuser)


def _full_q(user) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    if reads_everything(user):
        return Q(pk__isnull=False)
    attended = Meeting.attendees.through.objects.filter(user_id=user.pk).values("meeting_id")
    return (
        authz.scope_q(user, CONTROLLER, field="series__unit")
        | Q(chair_id=user.pk)
        | Q(secretary_id=user.pk)
        | Q(pk__in=attended)
    )


def full_meetings(user) -> QuerySet[Meeting]:
    """Meetings whose every part ``user`` reads."""
    return Meeting.objects.filter(_full_q(user))


def meeting_list(user) -> QuerySet[Meeting]:
    """Every meeting ``user`` sees: fully, or as a unit that files for it (drafts only to
    full readers)."""
    if not _active(user):
        return Meeting.objects.none()
    units = own_units(user)
    filing = UnitReport.objects.filter(unit_id__in=units).values("meeting_id")
    q = _full_q(user) | (Q(pk__in=filing) & ~Q(status=MeetingStatus.DRAFT))
    return Meeting.objects.filter(q).select_related("series", "chair", "secretary")


def meeting_get(user, pk) -> Meeting:
    """The meeting if ``user`` sees it; ``Meeting.DoesNotExist`` otherwise (pages: 404)."""
    return meeting_list(user).get(pk=pk)


def reads_meeting(user, meeting: Meeting) -> bool:
    return full_meetings(user).filter(pk=meeting.pk).exists()


def reports_visible(user, meeting: Meeting) -> QuerySet[UnitReport]:
    rows = meeting.reports.select_related("unit", "filed_by").prefetch_related("attachments")
    if reads_meeting(user, meeting):
        return rows
    return rows.filter(unit_id__in=own_units(user))


def report_get(user, meeting: Meeting, unit_id) -> UnitReport:
    return reports_visible(user, meeting).get(unit_id=unit_id)


def agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.items.select_related("unit").prefetch_related(
        Prefetch("directives", queryset=TrackedCase.objects.select_related("lead_unit"))
    )


def books(meeting: Meeting) -> QuerySet[MeetingBook]:
    return meeting.books.select_related("built_by").defer("html")


def _case_q(user) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    if reads_everything(user):
        return Q(pk__isnull=False)
    units = sorted(own_units(user))
    return (
        authz.scope_q(user, CONTROLLER, field="meeting__series__unit")
        | Q(lead_unit_id__in=units)
        | Q(
            pk__in=TrackedCase.co_units.through.objects.filter(organization_id__in=units).values(
                "trackedcase_id"
            )
        )
    )


def case_list(user, *, status: str = "", unit: int | None = None) -> QuerySet[TrackedCase]:
    rows = TrackedCase.objects.filter(_case_q(user)).select_related(
        "lead_unit", "meeting", "meeting__series"
    )
    if status:
        rows = rows.filter(status=status)
    if unit:
        rows = rows.filter(Q(lead_unit_id=unit) | Q(co_units=unit)).distinct()
    return rows.prefetch_related("co_units")


def case_get(user, pk) -> TrackedCase:
    return case_list(user).get(pk=pk)


def case_history(case: TrackedCase) -> tuple[list[CaseProgress], list[CaseDecision]]:
    return (
        list(case.progress.select_related("author", "unit")),
        list(case.decisions.select_related("meeting", "decided_by")),
    )


def carried_cases(meeting: Meeting) -> QuerySet[TrackedCase]:
    """Cases of the series still tracked at ``meeting``: directed at an earlier meeting of the
    series and neither closed nor awaiting closure approval before it. A case the chair closes
    at this very meeting is still listed in this meeting's book (it is decided here)."""
    return (
        TrackedCase.objects.filter(
            meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at
        )
        .filter(
            Q(status__in=[CaseStatus.OPEN, CaseStatus.CLOSING])
            | Q(closed_meeting=meeting)
            | Q(decisions__meeting=meeting)
        )
        .distinct()
        .select_related("lead_unit", "meeting")
        .prefetch_related(
            "co_units",
            Prefetch("progress", queryset=CaseProgress.objects.select_related("unit", "author")),
            Prefetch("decisions", queryset=CaseDecision.objects.select_related("meeting")),
        )
        .order_by("year", "serial")
    )


def notes_of(user, meeting: Meeting) -> dict[str, PersonalNote]:
    """The author's own notes on the meeting, by slide: nobody else's."""
    return {n.slide: n for n in PersonalNote.objects.filter(author=user, meeting=meeting)}


def overdue_by_unit(user, *, today=None) -> list[dict]:
    """Per lead unit: open cases, overdue ones and the oldest overdue age in days."""
    today = today or timezone.localdate()
    rows = (
        case_list(user)
        .exclude(status=CaseStatus.CLOSED)
        .values("lead_unit_id", "lead_unit__name_zh", "lead_unit__name_en")
        .annotate(
            open=Count("pk", distinct=True),
            overdue=Count("pk", filter=Q(due_date__lt=today), distinct=True),
        )
        .order_by("-overdue", "lead_unit__name_zh")
    )
    oldest = {}
    for unit_id, due in (
        case_list(user)
        .exclude(status=CaseStatus.CLOSED)
        .filter(due_date__lt=today)
        .values_list("lead_unit_id", "due_date")
    ):
        age = (today - due).days
        oldest[unit_id] = max(age, oldest.get(unit_id, 0))
    return [{**row, "oldest_days": oldest.get(row["lead_unit_id"], 0)} for row in rows]


def statistics(user, *, year: int | None = None) -> list[dict]:
    """Per lead unit and ROC year: cases, closed on time, closed late, open overdue."""
    today = timezone.localdate()
    rows = case_list(user)
    if year:
        rows = rows.filter(year=year)
    out: dict[tuple, dict] = {}
    units = {}
    for year_, unit_id, status, due_date, closed_at in rows.values_list(
        "year", "lead_unit_id", "status", "due_date", "closed_at"
    ):
        row = out.setdefault(
            (year_, unit_id),
            {
                "year": year_,
                "unit_id": unit_id,
                "total": 0,
                "on_time": 0,
                "late": 0,
                "overdue": 0,
                "open": 0,
            },
        )
        units[unit_id] = None
        row["total"] += 1
        if status == CaseStatus.CLOSED and closed_at:
            row["on_time" if timezone.localdate(closed_at) <= due_date else "late"] += 1
        elif due_date < today:
            row["overdue"] += 1
        else:
            row["open"] += 1
    names = Organization.objects.in_bulk(list(units))
    for row in out.values():
        row["unit"] = names[row["unit_id"]]
    return sorted(out.values(), key=lambda r: (-r["year"], r["unit"].sort_order, r["unit"].code))


def filing_units_missing(meeting: Meeting) -> QuerySet[UnitReport]:
    return meeting.reports.filter(status="pending").select_related("unit")


def search_entries(user) -> QuerySet[SearchEntry]:
    """The index rows ``user`` may find: every entry of a meeting they read in full, and
    their own units' entries of the meetings they see (the pages' rule)."""
    if reads_everything(user):
        return SearchEntry.objects.all()
    seen = meeting_list(user).values("pk")
    return SearchEntry.objects.filter(
        Q(meeting__in=full_meetings(user).values("pk"))
        | (Q(meeting__in=seen) & Q(unit_id__in=sorted(own_units(user))))
    )


def search(
    user, query: str, *, unit=None, series=None, date_from=None, date_to=None, limit: int = 50
) -> list[Hit]:
    rows = search_entries(user)
    if unit:
        rows = rows.filter(unit=unit)
    if series:
        rows = rows.filter(series=series)
    if date_from:
        rows = rows.filter(day__gte=date_from)
    if date_to:
        rows = rows.filter(day__lte=date_to)
    entries = newest(
        rows,
        query,
        order=("-day", "kind", "pk"),
        limit=limit,
        related=("meeting", "unit", "series"),
    )
    return [Hit(entry=e, snippet=snippet(e.text, query)) for e in entries]


def attended_meetings(user) -> QuerySet[Meeting]:
    """The meetings ``user`` attends (as attendee, chair or secretary) and sees, past year
    onwards: the subscription feed's events."""
    since = timezone.now() - timedelta(days=366)
    return (
        meeting_list(user)
        .filter(Q(attendees=user) | Q(chair=user) | Q(secretary=user), starts_at__gte=since)
        .exclude(status=MeetingStatus.DRAFT)
        .distinct()
        .order_by("starts_at", "pk")
    )
