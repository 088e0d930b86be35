import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from core.dates import (
    CalendarFileError,
    add_working_days,
    format_roc_date,
    is_working_day,
    parse_dgpa_csv,
    parse_roc_date,
    roc_year,
    working_days_between,
)
from core.models import WorkCalendarDay

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


# --- ROC years ---------------------------------------------------------------------------------


def test_roc_year_of_a_day_and_of_today():
    assert roc_year(D(2026, 3, 5)) == 115
    assert roc_year(D(1912, 1, 1)) == 1
    with freeze_time("2025-12-31T16:30:00Z"):  # already 2026-01-01 in Taipei
        assert roc_year() == 115
        assert roc_year(timezone.now()) == 115


def test_format_roc_date_long_and_short():
    assert format_roc_date(D(2026, 3, 5)) == "115年3月5日"
    assert format_roc_date(D(2026, 3, 5), style="short") == "115/03/05"
    assert format_roc_date(D(1923, 11, 20), style="short") == "012/11/20"
    with pytest.raises(ValueError):
        format_roc_date(D(1911, 12, 31))
    with pytest.raises(ValueError):
        format_roc_date(D(2026, 3, 5), style="iso")


@pytest.mark.parametrize(
    "text",
    ["115/3/5", "115/03/05", "115-03-05", "115.3.5", " 115年3月5日 ", "民國115年3月5日",
     "中華民國115年03月05日", "1150305", "115 / 3 / 5"],
)  # fmt: skip
def test_parse_roc_date_reads_the_usual_spellings(text):
    assert parse_roc_date(text) == D(2026, 3, 5)


def test_parse_roc_date_reads_two_digit_years():
    assert parse_roc_date("99/1/2") == D(2010, 1, 2)
    assert parse_roc_date("990102") == D(2010, 1, 2)


@pytest.mark.parametrize(
    "text",
    ["", "2026-03-05", "115/2/30", "0/1/1", "115/13/1", "115-3/5", "115年3月", "abc", "11503051"],
)
def test_parse_roc_date_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_roc_date(text)


def test_format_and_parse_round_trip():
    day = D(2026, 12, 31)
    assert parse_roc_date(format_roc_date(day)) == day
    assert parse_roc_date(format_roc_date(day, style="short")) == day
