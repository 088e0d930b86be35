"""Paging of the case lists, with an estimated count where an exact one would be too dear.

A unit's lists are a few thousand cases: counted exactly. The ministry's list of every case (or
a broad filter of it) is millions of rows, and ``COUNT(*)`` over them reads the whole index on
every page view. So, on PostgreSQL, the list first asks the planner how many rows it expects
(``EXPLAIN``, nothing executed; the estimate comes from ``pg_class.reltuples`` and the
column statistics that ``ANALYZE``/autovacuum keep): above ``exact_count_limit()`` (setting
``LABOR_ADMIN_EXACT_COUNT_LIMIT``, default 10,000) the page shows that estimate as "about N"
and pages by "Previous"/"Next" only (each page reads one row more than it shows to know
whether there is a next one), with no page total or last-page link that the estimate could
get wrong. At or below the limit, and on any other database (SQLite), the count is exact and
paging is Django's.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: At most this many rows (by the planner's estimate) are counted exactly.
EXACT_COUNT_LIMIT = 10_000


def exact_count_limit() -> int:
    return int(getattr(settings, "LABOR_ADMIN_EXACT_COUNT_LIMIT", EXACT_COUNT_LIMIT))


def planner_estimate(queryset: QuerySet) -> int | None:
    """The number of rows PostgreSQL's planner expects ``queryset`` to return (``EXPLAIN``,
    nothing executed); None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.select_related(None).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _rounded(n: int) -> int:
    """Three significant digits: an estimate is not exact to the case."""
    digits = len(str(n))
    if digits <= 3:
        return n
    step = 10 ** (digits - 3)
    return round(n / step) * step


class EstimatedPage(Page):
    """A page of an estimated list: whether a next page exists is known from the extra row."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self._more = more

    def has_next(self) -> bool:
        return self._more

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0


class CasePaginator(Paginator):
    """Django's paginator with an exact count up to ``limit`` rows, and above it (PostgreSQL's
    estimate) ``estimated = True``, ``count`` the rounded estimate and "next" paging."""

    def __init__(self, object_list, per_page, *, limit: int | None = None):
        super().__init__(object_list, per_page)
        self.limit = exact_count_limit() if limit is None else limit

    @cached_property
    def estimate(self) -> int | None:
        estimate = planner_estimate(self.object_list)
        return estimate if estimate is not None and estimate > self.limit else None

    @property
    def estimated(self) -> bool:
        return self.estimate is not None

    @cached_property
    def count(self) -> int:
        if self.estimated:
            return _rounded(self.estimate)
        return self.object_list.count()

    def get_page(self, number) -> Page:
        if not self.estimated:
            return super().get_page(number)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        return EstimatedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
