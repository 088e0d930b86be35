"""Due times in working hours: the office hours (Asia/Taipei) of the working days of
``core.dates`` (holidays and make-up working days included).

``add_working_hours(start, hours)`` counts only time inside 08:30–12:30 and 13:30–17:30 on a
working day; a ticket filed on a Friday evening starts counting on the next working morning.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.dates import is_working_day

# Office hours: two spans a day (lunch break between them).
SPANS = ((dt.time(8, 30), dt.time(12, 30)), (dt.time(13, 30), dt.time(17, 30)))


def add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """The moment ``hours`` working hours after ``start`` (an aware datetime)."""
    zone = timezone.get_default_timezone()
    moment = timezone.localtime(start, zone)
    remaining = dt.timedelta(hours=hours)
    day = moment.date()
    for _guard in range(3660):
        if is_working_day(day):
            for opens, closes in SPANS:
                span_start = dt.datetime.combine(day, opens, tzinfo=zone)
                span_end = dt.datetime.combine(day, closes, tzinfo=zone)
                begin = max(span_start, moment)
                if begin >= span_end:
                    continue
                available = span_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    raise ValueError("no working hours within ten years")
