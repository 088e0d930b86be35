"""The hourly rollup behind the dashboard's 24 h figure: one row per check and finished UTC
hour, recomputed on every run; the figure sums those rows and reads raw results of the last
two hours only, whatever the number of results per check."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from monitoring.choices import CheckKind
from monitoring.models import CheckResult, HourlyUptime
from monitoring.selectors import uptime_ratios
from monitoring.services.rollup import rollup, rollup_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 5, 30, tzinfo=UTC)  # 13:30 in Taipei


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def check(make_check):
    return make_check(name="web", kind=CheckKind.TCP, host="127.0.0.1", port=9)


def results(check, when: datetime, ok: int = 0, failed: int = 0):
    CheckResult.objects.bulk_create(
        [CheckResult(check_ref=check, at=when, ok=True) for _ in range(ok)]
        + [CheckResult(check_ref=check, at=when, ok=False) for _ in range(failed)]
    )


@freeze_time(NOW)
def test_each_finished_hour_is_rolled_up_once_and_a_rerun_gives_the_same(check):
    results(check, at(2026, 3, 10, 3, 15), ok=3, failed=1)
    results(check, at(2026, 3, 10, 4, 59), ok=2)
    results(check, at(2026, 3, 10, 5, 10), ok=1)  # the current hour: not finished
    assert rollup_hours() == 2
    assert rollup_hours() == 2
    rows = list(HourlyUptime.objects.order_by("hour").values_list("hour", "total", "ok"))
    assert rows == [(at(2026, 3, 10, 3), 4, 3), (at(2026, 3, 10, 4), 2, 2)]
    assert rollup()["hours"] == 2  # the hourly job writes them too


@freeze_time(NOW)
def test_old_hourly_rows_are_dropped(check):
    HourlyUptime.objects.create(check_ref=check, hour=at(2026, 3, 7, 0), total=1, ok=1)
    rollup_hours()
    assert not HourlyUptime.objects.exists()


@freeze_time(NOW)
def test_the_24h_figure_sums_hourly_rows_and_the_last_two_hours(check, django_assert_num_queries):
    results(check, at(2026, 3, 10, 5, 10), ok=1)
    results(check, at(2026, 3, 10, 4, 20), failed=1)  # the previous hour, not rolled up yet
    HourlyUptime.objects.create(check_ref=check, hour=at(2026, 3, 10, 3), total=60, ok=60)
    HourlyUptime.objects.create(check_ref=check, hour=at(2026, 3, 9, 10), total=60, ok=30)
    HourlyUptime.objects.create(check_ref=check, hour=at(2026, 3, 9, 5), total=100, ok=0)
    # Raw rows ten hours old are not read: their hour counts through its rollup row only.
    results(check, at(2026, 3, 10, 1, 0), failed=5)
    with django_assert_num_queries(4):
        ratios = uptime_ratios([check.pk])[check.pk]
    assert ratios["24h"] == pytest.approx((1 + 60 + 30) / (2 + 60 + 60))
    # Today (since midnight in Taipei, 16:00 UTC the day before): 03:00 and the last two hours.
    assert ratios["30d"] == pytest.approx((60 + 1) / (60 + 2))
    assert ratios["90d"] == ratios["30d"]


@freeze_time(NOW)
def test_a_check_without_results_has_no_figure(check):
    assert uptime_ratios([check.pk]) == {check.pk: {"24h": None, "30d": None, "90d": None}}


@freeze_time(NOW)
def test_after_the_rollup_the_figure_is_the_same_as_from_raw_results(check):
    for minutes in range(0, 20 * 60, 7):
        when = NOW - timedelta(minutes=minutes)
        results(check, when, ok=1 if minutes % 5 else 0, failed=0 if minutes % 5 else 1)
    raw_total = CheckResult.objects.filter(at__gte=at(2026, 3, 9, 6)).count()
    raw_ok = CheckResult.objects.filter(at__gte=at(2026, 3, 9, 6), ok=True).count()
    rollup_hours()
    assert uptime_ratios([check.pk])[check.pk]["24h"] == pytest.approx(raw_ok / raw_total)
