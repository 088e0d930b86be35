"""Leave arithmetic on the holiday calendar: half days and hours across a year boundary, a
holiday and a make-up working day (補班日)."""

import datetime as dt
from decimal import Decimal

import pytest

from portal import leave_time
from portal.choices import LeaveUnit

from .conftest import taipei

pytestmark = pytest.mark.django_db


def test_hours_across_new_year_skip_the_holiday_and_count_the_make_up_saturday(calendar):
    # Thu 31 Dec afternoon (4 h), Fri 1 Jan holiday, Sat 2 Jan 補班 (8 h), Sun off,
    # Mon 4 Jan until 10:30 (2 h).
    per_day = leave_time.hours_by_day(taipei(2026, 12, 31, 13, 30), taipei(2027, 1, 4, 10, 30))
    assert per_day == {
        dt.date(2026, 12, 31): Decimal(4),
        dt.date(2027, 1, 2): Decimal(8),
        dt.date(2027, 1, 4): Decimal(2),
    }
    assert leave_time.hours_by_year(per_day) == {2026: Decimal(4), 2027: Decimal(10)}


def test_an_ordinary_saturday_is_not_leave(calendar):
    per_day = leave_time.hours_by_day(taipei(2027, 1, 9, 8, 30), taipei(2027, 1, 10, 17, 30))
    assert per_day == {}


def test_the_lunch_break_is_not_leave(calendar):
    per_day = leave_time.hours_by_day(taipei(2026, 12, 29, 11, 30), taipei(2026, 12, 29, 14, 30))
    assert per_day == {dt.date(2026, 12, 29): Decimal(2)}


def test_half_days_must_start_and_end_on_a_half(calendar):
    start, end = taipei(2026, 12, 31, 13, 30), taipei(2027, 1, 4, 12, 30)
    per_day = leave_time.hours_by_day(start, end)
    assert leave_time.unit_error(LeaveUnit.HALF_DAY, start, end, per_day) is None
    assert sum(per_day.values()) == Decimal(16)
    odd = taipei(2026, 12, 31, 14, 0)
    assert leave_time.unit_error(LeaveUnit.HALF_DAY, odd, end, per_day) == "half_day"


def test_whole_days_refuse_a_half_day_and_hours_refuse_a_half_hour(calendar):
    start, end = taipei(2026, 12, 31, 13, 30), taipei(2027, 1, 4, 17, 30)
    per_day = leave_time.hours_by_day(start, end)
    assert leave_time.unit_error(LeaveUnit.DAY, start, end, per_day) == "day"
    start, end = taipei(2026, 12, 31, 8, 30), taipei(2026, 12, 31, 10, 0)
    per_day = leave_time.hours_by_day(start, end)
    assert per_day == {dt.date(2026, 12, 31): Decimal("1.5")}
    assert leave_time.unit_error(LeaveUnit.HOUR, start, end, per_day) == "hour"
