"""Straight-line monthly depreciation, per item, as of any date.

Rule (documented in the README): the acquisition month is not depreciated; each calendar month
after it counts one month, up to the useful life. The accumulated figure is
``round_half_up((book cost − residual) × months / life)`` in whole dollars, so the last month
absorbs rounding and the total reaches the depreciable amount exactly. The book cost as of a
date is the item's ledger (acquisition and value changes posted up to that date), so a past date
gives the figure the reports of that day gave. Nothing is stored: there is nothing to rebuild.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Depreciation:
    as_of: dt.date
    months: int
    book_cost: Decimal
    monthly: Decimal
    accumulated: Decimal
    net_value: Decimal


def months_elapsed(acquired_on: dt.date, as_of: dt.date, life_months: int) -> int:
    """Whole months depreciated by ``as_of`` (0 before and in the acquisition month)."""
    months = (as_of.year - acquired_on.year) * 12 + (as_of.month - acquired_on.month)
    return max(0, min(months, life_months))


def compute(
    *,
    acquired_on: dt.date,
    as_of: dt.date,
    book_cost: Decimal,
    residual: Decimal,
    life_months: int,
) -> Depreciation:
    book_cost = Decimal(book_cost)
    depreciable = max(Decimal(0), book_cost - Decimal(residual))
    if life_months <= 0:
        months, monthly, accumulated = 0, Decimal(0), Decimal(0)
    else:
        months = months_elapsed(acquired_on, as_of, life_months)
        monthly = (depreciable / life_months).quantize(Decimal("0.01"), ROUND_HALF_UP)
        accumulated = (depreciable * months / life_months).quantize(Decimal(1), ROUND_HALF_UP)
    return Depreciation(
        as_of=as_of,
        months=months,
        book_cost=book_cost,
        monthly=monthly,
        accumulated=accumulated,
        net_value=book_cost - accumulated,
    )
