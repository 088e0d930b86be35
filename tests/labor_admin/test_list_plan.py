"""A unit's filtered case list (the page and its COUNT) is a range of one of the unit's
indexes, in order: no sort, no scan of other units' cases (PostgreSQL's plan, with sequential
scans priced out since the test table is tiny); the board's refresh interval is a setting."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client

from labor_admin.selectors import case_list

from .factories import make_case

pytestmark = pytest.mark.django_db

# "Index Cond: (unit_id = 7)" or, with more columns of the index, "((unit_id = 7) AND ...)"
UNIT_RANGE = re.compile(r"Index Cond: \(+unit_id = ")


def _plan(qs) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # a tiny table's plan may prefer sorting
        return qs.explain()


def test_a_units_filtered_list_and_count_use_the_unit_type_index(
    needs_postgres, la_owner, la_outsider, office, sibling
):
    for n in range(6):
        make_case(
            unit=office if n % 2 else sibling, actor=None, type_code="MED" if n % 3 else "VOL"
        )
    with connection.cursor() as cursor:
        # Statistics of the tiny table: without them the planner guesses one row for any
        # single-column index (the case type's) and may take it over the unit's range.
        cursor.execute("ANALYZE labor_admin_case")
    qs = case_list(la_owner, filters={"case_type": "MED", "open": True})
    page = _plan(qs.select_related(None).order_by("-received_on", "-id")[:25])
    # On a tiny table either unit index wins (labor_case_unit_type at volume: see README);
    # what must hold at any size: the unit's index range, in order, no sort, no table scan.
    assert UNIT_RANGE.search(page) and "Sort" not in page, page
    count = _plan(qs.order_by().values("pk"))
    assert UNIT_RANGE.search(count) and "Seq Scan" not in count, count
    assert {c.unit_id for c in qs} == {office.pk} and qs.count() == 2


def test_an_unknown_type_code_lists_nothing(la_owner, office):
    make_case(unit=office, actor=None)
    assert not case_list(la_owner, filters={"case_type": "NOPE"}).exists()


def test_the_board_refresh_interval_is_a_setting(settings, la_owner, office):
    settings.LABOR_ADMIN_BOARD_REFRESH_SECONDS = 7
    c = Client()
    c.force_login(la_owner)
    page = c.get("/labor-admin/board/").content.decode()
    assert 'hx-trigger="every 7s, refresh"' in page
    settings.LABOR_ADMIN_BOARD_REFRESH_SECONDS = 0
    assert 'hx-trigger="every 2s, refresh"' in c.get("/labor-admin/board/").content.decode()
