"""API intake stays cheap: a repeated caller's token, client and unit and the case type come
from the process (short-lived, forgotten as soon as they are saved in this process), the
answer needs no re-read, and the unit's sequence row is taken last; the remembered lookups
never let a client reach another unit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labor_admin.models import Case, CaseType

from .test_api import BASE, BODY, _as_client

pytestmark = pytest.mark.django_db
#: Captured statements of one intake by a remembered caller, in the test's transaction: the
#: savepoint, the counters (PostgreSQL: one statement; SQLite: the day and the open row), the
#: unit's sequence (create if missing, lock, advance), the case, its audit entry, its timeline
#: line and the release.
QUERIES = {"postgresql": 9, "sqlite": 10}


def _post(c):
    return c.post(f"{BASE}/cases/", BODY, content_type="application/json")


def test_one_intake_is_a_bounded_number_of_queries_with_the_sequence_last(client_a):
    c = _as_client(client_a)
    assert _post(c).status_code == 201  # the first call of the process fills its caches
    with CaptureQueriesContext(connection) as ctx:
        response = _post(c)
    assert response.status_code == 201, response.content
    assert response.json()["events"][0]["to_status"] == "received"
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == QUERIES[connection.vendor], "\n".join(sql)
    assert not any("oauth2_provider_accesstoken" in q or "labor_admin_casetype" in q for q in sql)
    first_sequence = next(i for i, q in enumerate(sql) if "core_sequence" in q)
    counters = next(i for i, q in enumerate(sql) if "labor_admin_casedaycount" in q)
    case_insert = next(
        i for i, q in enumerate(sql) if q.startswith('INSERT INTO "labor_admin_case"')
    )
    assert counters < first_sequence < case_insert
    assert Case.objects.count() == 2


def test_remembered_clients_stay_in_their_units(client_a, client_b, office, sibling):
    a, b = _as_client(client_a), _as_client(client_b)
    for _ in range(2):
        first = _post(a).json()
        second = _post(b).json()
    assert Case.objects.get(pk=first["id"]).unit == office
    assert Case.objects.get(pk=second["id"]).unit == sibling
    assert b.get(f"{BASE}/cases/{first['id']}/").status_code == 404
    assert a.get(f"{BASE}/cases/{second['id']}/").status_code == 404
    assert {c["id"] for c in a.get(f"{BASE}/cases/").json()["results"]} == {
        c.pk for c in Case.objects.filter(unit=office)
    }


def test_a_change_to_the_client_counts_at_once_in_this_process(client_a, sibling):
    a = _as_client(client_a)
    assert _post(a).status_code == 201
    client_a.unit = sibling
    client_a.save()
    moved = _post(a).json()
    assert Case.objects.get(pk=moved["id"]).unit == sibling
    client_a.active = False
    client_a.save()
    assert _post(a).status_code == 403
    client_a.active, client_a.may_write = True, False
    client_a.save()
    assert _post(a).status_code == 403


def test_a_revoked_token_is_refused_at_once(client_a):
    a = _as_client(client_a)
    assert _post(a).status_code == 201
    client_a.application.accesstoken_set.all().delete()
    assert _post(a).status_code == 401


def test_a_case_type_saved_in_the_admin_counts_at_once(client_a):
    a = _as_client(client_a)
    assert _post(a).status_code == 201
    med = CaseType.objects.get(code="MED")
    med.is_active = False
    med.save()
    response = _post(a)
    assert response.status_code == 400
    assert "case_type" in response.json()["error"]["fields"]
