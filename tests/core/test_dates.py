import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from core.models import WorkCalendarDay
from core.workdays import (
    CalendarFileError,
    add_working_days,
    is_working_day,
    parse_dgpa_csv,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


def test_2026_calendar_is_loaded_by_the_migration():
    assert WorkCalendarDay.objects.get(date=D(2026, 2, 17)).name == "春節"
    assert not is_working_day(D(2026, 10, 9))  # 國慶日補假 (Friday)
    assert not is_working_day(D(2026, 5, 1))  # 勞動節
    assert is_working_day(D(2026, 1, 2))


def test_weekends_are_off_and_weekdays_on():
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert is_working_day(D(2026, 3, 9))  # Monday


def test_add_working_days_skips_the_lunar_new_year():
    # Friday 13 Feb 2026 + 1 working day: 14-22 Feb are all off -> Monday 23 Feb.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)


def test_add_working_days_skips_a_compensatory_day_off():
    # Thursday 8 Oct + 2: Friday 9 Oct is 國慶日補假 -> Monday 12, Tuesday 13.
    assert add_working_days(D(2026, 10, 8), 2) == D(2026, 10, 13)


def test_a_makeup_working_day_counts():
    WorkCalendarDay.objects.create(date=D(2026, 3, 14), is_workday=True, name="補班")
    assert add_working_days(D(2026, 3, 13), 1) == D(2026, 3, 14)


def test_a_holiday_edited_in_the_admin_data_counts():
    WorkCalendarDay.objects.create(date=D(2026, 3, 16), is_workday=False, name="颱風假")
    assert add_working_days(D(2026, 3, 13), 1) == D(2026, 3, 17)


def test_zero_days_from_a_holiday_is_the_next_working_day():
    assert add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 23)


def test_negative_days_count_backwards():
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)


def test_working_days_between_is_the_inverse():
    start = D(2026, 2, 10)
    for n in (0, 1, 5, 30, 300):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1


@freeze_time("2026-09-24 09:00:00+08:00")
def test_thirty_working_day_deadline_from_today_across_mid_autumn_and_national_day():
    today = timezone.localdate()
    # 25 Sep (中秋), 28 Sep (教師節), 9 Oct (國慶補假), 26 Oct (光復補假) are off.
    assert add_working_days(today, 30) == D(2026, 11, 11)


def test_load_work_calendar_command_reads_a_big5_dgpa_file(tmp_path):
    csv_text = (
        "西元日期,星期,是否放假,備註\n"
        "20270101,五,2,開國紀念日\n"
        "20270102,六,2,\n"
        "20270104,一,0,\n"
        "20270109,六,0,補行上班\n"
        "20270110,日,2,\n"
    )
    path = tmp_path / "115.csv"
    path.write_bytes(csv_text.encode("cp950"))
    call_command("load_work_calendar", str(path))
    assert WorkCalendarDay.objects.get(date=D(2027, 1, 1)).name == "開國紀念日"
    assert WorkCalendarDay.objects.get(date=D(2027, 1, 9)).is_workday is True
    assert not WorkCalendarDay.objects.filter(date=D(2027, 1, 2)).exists()  # ordinary weekend
    assert add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 9)
    # Loading again changes nothing.
    call_command("load_work_calendar", str(path))
    assert WorkCalendarDay.objects.filter(date__year=2027).count() == 2


def test_bad_calendar_file_names_the_line():
    with pytest.raises(CalendarFileError, match="Line 2"):
        parse_dgpa_csv("西元日期,星期,是否放假,備註\n2027xx01,五,2,\n".encode())
