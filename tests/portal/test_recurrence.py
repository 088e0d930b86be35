"""Recurrence rules expanded to dates and times (pure functions, no database)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.constants import MAX_OCCURRENCES
from portal.recurrence import Recurrence

from .conftest import taipei

D = dt.date


def test_daily_count_gives_that_many_consecutive_days():
    rule = Recurrence(freq="daily", count=3)
    assert rule.dates(D(2026, 3, 2)) == [D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4)]


def test_weekly_on_chosen_weekdays_until_a_date_inclusive():
    rule = Recurrence(freq="weekly", until=D(2026, 3, 12), weekdays=(0, 3))
    assert rule.dates(D(2026, 3, 2)) == [
        D(2026, 3, 2),
        D(2026, 3, 5),
        D(2026, 3, 9),
        D(2026, 3, 12),
    ]


def test_weekly_without_weekdays_repeats_the_first_dates_weekday():
    rule = Recurrence(freq="weekly", count=3)
    assert rule.dates(D(2026, 3, 4)) == [D(2026, 3, 4), D(2026, 3, 11), D(2026, 3, 18)]


def test_weekly_first_date_outside_the_chosen_days_is_not_booked():
    rule = Recurrence(freq="weekly", count=2, weekdays=(4,))
    assert rule.dates(D(2026, 3, 2)) == [D(2026, 3, 6), D(2026, 3, 13)]


def test_monthly_by_date_leaves_out_months_without_that_day():
    rule = Recurrence(freq="monthly", count=4)
    assert rule.dates(D(2026, 1, 31)) == [
        D(2026, 1, 31),
        D(2026, 3, 31),
        D(2026, 5, 31),
        D(2026, 7, 31),
    ]


def test_monthly_crosses_the_year():
    rule = Recurrence(freq="monthly", until=D(2027, 2, 15))
    assert rule.dates(D(2026, 11, 15)) == [
        D(2026, 11, 15),
        D(2026, 12, 15),
        D(2027, 1, 15),
        D(2027, 2, 15),
    ]


def test_occurrences_keep_the_wall_clock_time_and_length_in_taipei():
    rule = Recurrence(freq="daily", count=2)
    slots = rule.occurrences(taipei(2026, 3, 2, 23, 30), taipei(2026, 3, 3, 0, 30))
    assert slots == [
        (taipei(2026, 3, 2, 23, 30), taipei(2026, 3, 3, 0, 30)),
        (taipei(2026, 3, 3, 23, 30), taipei(2026, 3, 4, 0, 30)),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        Recurrence(freq="daily"),
        Recurrence(freq="daily", count=2, until=D(2026, 3, 9)),
        Recurrence(freq="yearly", count=2),
        Recurrence(freq="daily", count=0),
        Recurrence(freq="daily", count=MAX_OCCURRENCES + 1),
        Recurrence(freq="weekly", count=2, weekdays=(7,)),
        Recurrence(freq="daily", count=2, weekdays=(1,)),
        Recurrence(freq="daily", until=D(2026, 3, 1)),
        Recurrence(freq="daily", until=D(2030, 1, 1)),
    ],
    ids=[
        "no-end",
        "both-ends",
        "unknown-freq",
        "zero-count",
        "too-many",
        "bad-weekday",
        "weekdays-not-weekly",
        "until-before-start",
        "until-too-far",
    ],
)
def test_bad_rules_are_refused_naming_the_recurrence(rule):
    with pytest.raises(ValidationError) as caught:
        rule.dates(D(2026, 3, 2))
    assert list(caught.value.message_dict) == ["recurrence"]
