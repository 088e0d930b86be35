"""Working-time arithmetic of leave: how many hours of leave a span ``[start, end)`` takes,
per working day, on the holiday calendar of ``core.dates`` (the DGPA office calendar that also
counts petitions' deadlines: national holidays are days off, a make-up working day (補班日) on a
Saturday is a working day).

A working day has two halves, ``constants.LEAVE_PERIODS`` (08:30–12:30 and 13:30–17:30,
Asia/Taipei); the lunch break and the hours outside them are not leave. A type's unit decides
which spans are allowed: whole days start at 08:30 and end at 17:30, half days start and end on
a half's boundary, hours are whole hours on each day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from core.models import WorkCalendarDay

from .choices import LeaveUnit
from .constants import LEAVE_DAY_HOURS, LEAVE_PERIODS

SATURDAY = 5
HALF_BOUNDARIES = {dt.time(*point) for period in LEAVE_PERIODS for point in period}


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days from ``first`` to ``last`` inclusive (one query)."""
    exceptions = dict(
        WorkCalendarDay.objects.between(first, last).values_list("date", "is_workday")
    )
    days, day = [], first
    while day <= last:
        if exceptions.get(day, day.weekday() < SATURDAY):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _period_hours(day: dt.date, start: dt.datetime, end: dt.datetime) -> Decimal:
    total = dt.timedelta()
    for begin, finish in LEAVE_PERIODS:
        lo = timezone.make_aware(dt.datetime.combine(day, dt.time(*begin)))
        hi = timezone.make_aware(dt.datetime.combine(day, dt.time(*finish)))
        overlap = min(hi, end) - max(lo, start)
        if overlap > dt.timedelta():
            total += overlap
    return Decimal(int(total.total_seconds())) / Decimal(3600)


def hours_by_day(start: dt.datetime, end: dt.datetime) -> dict[dt.date, Decimal]:
    """The leave hours of ``[start, end)`` on each working day it touches (days with none are
    left out)."""
    first, last = timezone.localdate(start), timezone.localdate(end)
    result = {}
    for day in working_days(first, last):
        hours = _period_hours(day, start, end)
        if hours:
            result[day] = hours
    return result


def hours_by_year(per_day: dict[dt.date, Decimal]) -> dict[int, Decimal]:
    years: dict[int, Decimal] = defaultdict(Decimal)
    for day, hours in per_day.items():
        years[day.year] += hours
    return dict(sorted(years.items()))


def unit_error(unit: str, start: dt.datetime, end: dt.datetime, per_day) -> str | None:
    """Why ``[start, end)`` does not fit ``unit`` (a message id, untranslated), or None."""
    start_time = timezone.localtime(start).time().replace(second=0, microsecond=0)
    end_time = timezone.localtime(end).time().replace(second=0, microsecond=0)
    if unit == LeaveUnit.DAY:
        first, last = LEAVE_PERIODS[0][0], LEAVE_PERIODS[-1][1]
        if start_time != dt.time(*first) or end_time != dt.time(*last):
            return "day"
        if any(hours != LEAVE_DAY_HOURS for hours in per_day.values()):
            return "day"
    elif unit == LeaveUnit.HALF_DAY:
        if start_time not in HALF_BOUNDARIES or end_time not in HALF_BOUNDARIES:
            return "half_day"
    elif any(hours != hours.to_integral_value() for hours in per_day.values()):
        return "hour"
    return None
