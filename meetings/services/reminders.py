"""Reminders and chasing (稽催), run by the daily and weekly jobs in ``tasks``.

- **Filing**: on each day the series names (``reminder_days``, default 3 and 1 days before and
  the morning of the deadline), every unit that has not filed yet gets a to-do (its filers,
  head and deputies). One ``FilingReminder`` row per meeting, unit and day: a re-run or a
  retry sends nothing twice.
- **Cases**: an open case gets a reminder ``MEETINGS_CASE_REMIND_DAYS_BEFORE`` days before its
  due date (once per due date) and, once overdue, the day after and then every seven days; to
  the lead unit's filers, head and deputies. One ``CaseReminder`` row per case, kind and day.
- **Digest**: on Mondays every controller gets the overdue counts per unit, once a week
  (``ControllerDigest``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.recipients import RoleHolders

from ..choices import CaseReminderKind, CaseStatus, MeetingStatus, ReportStatus
from ..models import (
    CaseReminder,
    ControllerDigest,
    FilingReminder,
    Meeting,
    TrackedCase,
)
from ..roles import CONTROLLER
from .notices import send, unit_filers


def _once(model, **key) -> bool:
    """Insert the row marking a reminder as sent; False when it already exists."""
    try:
        with transaction.atomic():
            model.objects.create(**key)
    except IntegrityError:
        return False
    return True


def filing_reminders_send(*, today: date | None = None) -> int:
    """The filing reminders due ``today``; returns how many units were reminded."""
    today = today or timezone.localdate()
    sent = 0
    meetings = Meeting.objects.filter(
        status=MeetingStatus.FILING, filing_deadline__gte=timezone.now()
    ).select_related("series")
    for meeting in meetings:
        deadline_day = timezone.localdate(meeting.filing_deadline)
        if (deadline_day - today).days not in meeting.series.reminder_offsets():
            continue
        for report in meeting.reports.filter(status=ReportStatus.PENDING).select_related("unit"):
            with transaction.atomic():
                if not _once(FilingReminder, meeting=meeting, unit=report.unit, day=today):
                    continue
                send(
                    "filing_reminder",
                    recipients=unit_filers(report.unit),
                    obj=report,
                    context={"meeting": meeting, "report": report},
                    kind="todo",
                    due=meeting.filing_deadline,
                    high=deadline_day == today,
                )
                sent += 1
    return sent


def case_reminders_send(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    before = settings.MEETINGS_CASE_REMIND_DAYS_BEFORE
    sent = 0
    open_cases = TrackedCase.objects.filter(status=CaseStatus.OPEN).select_related("lead_unit")
    for case in open_cases.filter(due_date__lte=today + timedelta(days=before)):
        days_late = (today - case.due_date).days
        if days_late <= 0:
            if (case.due_date - today).days != before:
                continue
            kind, key_day = CaseReminderKind.BEFORE, case.due_date
        elif days_late % 7 == 1:
            kind, key_day = CaseReminderKind.OVERDUE, today
        else:
            continue
        with transaction.atomic():
            if not _once(CaseReminder, case=case, kind=kind, day=key_day):
                continue
            overdue = kind == CaseReminderKind.OVERDUE
            send(
                "case_due",
                recipients=unit_filers(case.lead_unit),
                obj=case,
                context={"case": case, "overdue": overdue},
                kind="todo",
                high=overdue,
            )
            sent += 1
    return sent


def controller_digest_send(*, today: date | None = None) -> bool:
    """The weekly overdue digest (Mondays); False when it is not Monday or already sent."""
    today = today or timezone.localdate()
    if today.weekday() != 0:
        return False
    rows: dict[int, dict] = {}
    for case in TrackedCase.objects.filter(
        status=CaseStatus.OPEN, due_date__lt=today
    ).select_related("lead_unit"):
        row = rows.setdefault(case.lead_unit_id, {"unit": case.lead_unit, "overdue": 0})
        row["overdue"] += 1
    with transaction.atomic():
        if not _once(ControllerDigest, week=today):
            return False
        ordered = sorted(rows.values(), key=lambda r: -r["overdue"])
        send(
            "digest",
            recipients=[RoleHolders(CONTROLLER)],
            obj=None,
            context={"rows": ordered, "total": sum(r["overdue"] for r in ordered)},
            link=reverse("meetings:overdue"),
        )
    return True
