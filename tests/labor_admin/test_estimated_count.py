"""The ministry's list of every case shows PostgreSQL's estimate ("about N") above
``LABOR_ADMIN_EXACT_COUNT_LIMIT`` and pages by "next" only; small results, and every list on
SQLite, keep the exact count and Django's paging. The limit is lowered here so that a few
cases cross it."""

import pytest
from django.db import connection
from django.test import Client

from labor_admin.pagination import CasePaginator, _rounded
from labor_admin.selectors import case_list
from tests.language_support import english

from .factories import make_case

pytestmark = pytest.mark.django_db


def _cases(office, sibling, n=30):
    for i in range(n):
        make_case(unit=office if i % 2 else sibling, actor=None, subject=f"案件{i}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE labor_admin_case")  # the planner's statistics, as autovacuum


def _page(user, query=""):
    c = english(Client())
    c.force_login(user)
    return c.get(f"/labor-admin/{query}")


def test_the_ministrys_list_shows_the_planners_estimate_above_the_limit(
    needs_postgres, settings, ministry, office, sibling
):
    settings.LABOR_ADMIN_EXACT_COUNT_LIMIT = 10
    _cases(office, sibling)
    response = _page(ministry)
    page = response.context["page"]
    assert page.paginator.estimated
    assert page.paginator.count == 30  # ANALYZE has seen every row of this tiny table
    html = response.content.decode()
    assert "About 30 cases" in html
    assert "Page 1</span>" in html and "Page 1 of" not in html
    assert "page=2" in html  # a "next" link, no last-page link


def test_estimated_paging_reaches_the_last_rows_and_stops_there(
    needs_postgres, settings, ministry, office, sibling
):
    settings.LABOR_ADMIN_EXACT_COUNT_LIMIT = 10
    _cases(office, sibling)
    first = _page(ministry)
    second = _page(ministry, "?page=2")
    assert len(first.context["page"].object_list) == 25
    last = second.context["page"]
    assert len(last.object_list) == 5 and not last.has_next() and last.has_previous()
    shown = {c.pk for c in first.context["page"].object_list} | {c.pk for c in last.object_list}
    assert len(shown) == 30
    assert "page=3" not in second.content.decode()
    assert not _page(ministry, "?page=9").context["page"].object_list  # past the end: empty


def test_a_small_result_keeps_the_exact_count_on_postgresql(
    needs_postgres, settings, la_owner, ministry, office, sibling
):
    settings.LABOR_ADMIN_EXACT_COUNT_LIMIT = 20
    _cases(office, sibling)
    unit_page = _page(la_owner).context["page"]  # the unit's 15 cases: below the limit
    assert not unit_page.paginator.estimated and unit_page.paginator.count == 15
    filtered = _page(ministry, "?q=案件1").context["page"]  # 案件1, 案件10…19: 11 cases
    assert not filtered.paginator.estimated and filtered.paginator.count == 11


def test_other_databases_count_exactly_whatever_the_limit(
    settings, monkeypatch, ministry, office, sibling
):
    # The path of a database without a planner estimate (SQLite), taken on any database.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    settings.LABOR_ADMIN_EXACT_COUNT_LIMIT = 1
    _cases(office, sibling)
    response = _page(ministry)
    page = response.context["page"]
    assert not page.paginator.estimated and page.paginator.count == 30
    html = response.content.decode()
    assert "30 cases" in html and "About" not in html and "Page 1 of 2" in html
    assert CasePaginator(case_list(ministry), 25, limit=0).count == 30


def test_an_estimate_is_shown_to_three_significant_digits():
    assert [_rounded(n) for n in (7, 999, 12_345, 4_998_213)] == [7, 999, 12_300, 5_000_000]
