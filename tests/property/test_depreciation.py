"""Straight-line monthly depreciation per item, as of any date, on month boundaries."""

import datetime as dt
from decimal import Decimal

import pytest

from property import depreciation, selectors, services
from property.choices import MovementKind

from .factories import acquire, approve_all, items_of


def dep(as_of, acquired=dt.date(2025, 1, 10), cost=Decimal(48000), residual=Decimal(0), life=48):
    return depreciation.compute(
        acquired_on=acquired, as_of=as_of, book_cost=cost, residual=residual, life_months=life
    )


def test_nothing_is_depreciated_in_the_acquisition_month():
    assert dep(dt.date(2025, 1, 31)).accumulated == 0


def test_the_first_month_counts_on_the_first_day_of_the_next_month():
    assert dep(dt.date(2025, 1, 31)).months == 0
    assert dep(dt.date(2025, 2, 1)).months == 1
    assert dep(dt.date(2025, 2, 1)).accumulated == Decimal(1000)


def test_depreciation_stops_at_the_residual_value_after_the_useful_life():
    late = dep(dt.date(2040, 6, 1), residual=Decimal(4000))
    assert late.months == 48
    assert late.net_value == Decimal(4000)


def test_rounding_reaches_the_depreciable_amount_exactly_in_the_last_month():
    values = [
        dep(dt.date(2025, 1, 1) + dt.timedelta(days=31 * m), cost=Decimal(10000), life=36)
        for m in range(1, 40)
    ]
    assert values[-1].accumulated == Decimal(10000)
    assert all(b.accumulated >= a.accumulated for a, b in zip(values, values[1:], strict=False))


@pytest.mark.django_db
def test_an_items_depreciation_as_of_a_past_date_uses_its_book_cost_then(officer, sec_head):
    item = items_of(acquire(officer, cost=Decimal(48000), acquired_on=dt.date(2025, 1, 10)))[0]
    approve_all(
        services.movement_create(
            actor=officer,
            kind=MovementKind.VALUE_INCREASE,
            item_ids=[item.pk],
            amount=Decimal(12000),
            effective_date=dt.date(2025, 7, 1),
        )
    )
    item.refresh_from_db()
    before = selectors.item_depreciation(item, dt.date(2025, 6, 30))
    after = selectors.item_depreciation(item, dt.date(2025, 7, 1))
    assert before.book_cost == Decimal(48000) and before.accumulated == Decimal(5000)
    assert after.book_cost == Decimal(60000) and after.accumulated == Decimal(7500)
