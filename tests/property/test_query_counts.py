"""The custody page and the item list run a fixed number of queries, whatever the number of
items (the benchmark measures their time at ministry volume; this keeps them from growing per
row). The custody page counts its items once (the totals by register give the pager's count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import acquire

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm: session, role caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_custody_page_does_not_grow_with_the_items(client, officer, sec_head, im_head, owner):
    acquire(officer, custodian=owner, count=3)
    client.force_login(owner)
    few = _queries(client, reverse("property:custody"))
    acquire(officer, custodian=owner, count=60)
    many = _queries(client, reverse("property:custody"))
    assert len(many) == len(few)
    ours = [sql for sql in many if '"property_' in sql]
    # totals by register, the page of items, transfers to accept (no separate COUNT)
    assert len(ours) == 3, ours
    assert not any(sql.startswith("SELECT COUNT(*)") and "property_item" in sql for sql in ours)
    assert sum('FROM "accounts_unitofficer"' in sql for sql in many) == 1


def test_the_custody_pager_counts_every_held_item(client, officer, sec_head, im_head, owner):
    acquire(officer, custodian=owner, count=55)
    client.force_login(owner)
    page = client.get(reverse("property:custody")).context["page"]
    assert page.paginator.count == 55
    assert len(page.object_list) == 50


def test_the_item_list_does_not_grow_with_the_items(client, officer, sec_head, im_head, owner):
    acquire(officer, custodian=owner, count=3)
    client.force_login(officer)
    url = reverse("property:items") + "?register=property&status=in_use"
    few = _queries(client, url)
    acquire(officer, custodian=owner, count=60)
    assert len(_queries(client, url)) == len(few)
