"""The REST API: contracts, errors in the project's shape naming the field, idempotent intake
by external_id, and SSO clients bound to one unit."""

import pytest
from django.test import Client

from labor_admin.models import Case

from .conftest import SECRET
from .factories import VALID_IDS, make_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/labor-admin"


def _token(api_client) -> str:
    app = api_client.application
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": SECRET},
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _as_client(api_client) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(api_client)}"})


def _as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


BODY = {
    "case_type": "MED",
    "subject": "資遣費爭議",
    "applicant_name": "林小華",
    "employer_name": "大同製造股份有限公司",
    "employer_business_id": VALID_IDS[1],
    "industry": "25",
    "data": {"dispute_kind": "severance", "workers": 2, "claimed_amount": 150000},
}


def test_case_types_list_the_schema(la_owner):
    response = _as_user(la_owner).get(f"{BASE}/case-types/")
    assert response.status_code == 200
    med = next(t for t in response.json() if t["code"] == "MED")
    assert {f["code"] for f in med["schema"]} >= {"dispute_kind", "workers"}
    assert {s["code"] for s in med["statuses"]} >= {"received", "settled"}


def test_a_client_takes_in_a_case_for_its_unit(client_a, office):
    response = _as_client(client_a).post(f"{BASE}/cases/", BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["unit"] == office.code
    assert data["number"].startswith("LA63000-LI-115-")
    assert data["status"]["code"] == "received"
    assert Case.objects.get().source == "api"


def test_a_repeated_external_id_answers_the_first_case(client_a):
    c = _as_client(client_a)
    first = c.post(
        f"{BASE}/cases/", {**BODY, "external_id": "TP-1"}, content_type="application/json"
    )
    again = c.post(
        f"{BASE}/cases/", {**BODY, "external_id": "TP-1"}, content_type="application/json"
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1


def test_a_bad_business_id_is_named_in_the_error(client_a):
    response = _as_client(client_a).post(
        f"{BASE}/cases/", {**BODY, "employer_business_id": "88117126"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert "employer_business_id" in error["fields"]


def test_schema_errors_name_each_field(client_a):
    response = _as_client(client_a).post(
        f"{BASE}/cases/", {**BODY, "data": {"dispute_kind": "bonus", "workers": "x"}},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "data.dispute_kind" in fields and "data.workers" in fields
    assert Case.objects.count() == 0


def test_a_missing_required_field_is_named(client_a):
    body = {k: v for k, v in BODY.items() if k != "subject"}
    response = _as_client(client_a).post(f"{BASE}/cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert "subject" in response.json()["error"]["fields"]


def test_a_client_cannot_take_in_for_another_unit(client_a, sibling):
    response = _as_client(client_a).post(
        f"{BASE}/cases/", {**BODY, "unit": sibling.code}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    assert Case.objects.count() == 0


def test_a_client_never_sees_or_touches_another_units_case(
    client_a, client_b, la_outsider, sibling
):
    case = make_case(unit=sibling, actor=la_outsider)
    c = _as_client(client_a)
    assert c.get(f"{BASE}/cases/").json()["count"] == 0
    assert c.get(f"{BASE}/cases/{case.pk}/").status_code == 404
    patch = c.patch(f"{BASE}/cases/{case.pk}/", {"subject": "x"}, content_type="application/json")
    assert patch.status_code == 404
    move = c.post(f"{BASE}/cases/{case.pk}/transitions/", {"to_status": "scheduled"},
                  content_type="application/json")  # fmt: skip
    assert move.status_code == 404
    assert c.get(f"{BASE}/board/").json()["total"]["open"] == 0
    own = _as_client(client_b)
    assert own.get(f"{BASE}/cases/{case.pk}/").status_code == 200
    assert own.get(f"{BASE}/board/").json()["total"]["open"] == 1


def test_patch_and_transition(client_a):
    c = _as_client(client_a)
    case_id = c.post(f"{BASE}/cases/", BODY, content_type="application/json").json()["id"]
    patched = c.patch(f"{BASE}/cases/{case_id}/", {"outcome": "雙方同意再議"},
                      content_type="application/json")  # fmt: skip
    assert patched.status_code == 200 and patched.json()["outcome"] == "雙方同意再議"
    moved = c.post(f"{BASE}/cases/{case_id}/transitions/", {"to_status": "scheduled"},
                   content_type="application/json")  # fmt: skip
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"]["code"] == "scheduled"
    # settling is a supervisor's decision: a client may not make it
    refused = c.post(f"{BASE}/cases/{case_id}/transitions/", {"to_status": "settled"},
                     content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    nowhere = c.post(f"{BASE}/cases/{case_id}/transitions/", {"to_status": "received"},
                     content_type="application/json")  # fmt: skip
    assert nowhere.status_code == 400 and "to_status" in nowhere.json()["error"]["fields"]


def test_an_unregistered_application_is_refused(client_a):
    token = _token(client_a)
    client_a.delete()
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(f"{BASE}/cases/")
    assert response.status_code == 403


def test_anonymous_is_401():
    assert Client().get(f"{BASE}/cases/").status_code == 401


def test_the_ministry_reads_everything_but_changes_nothing(ministry, la_owner, la_outsider,
                                                           office, sibling):  # fmt: skip
    a = make_case(unit=office, actor=la_owner)
    make_case(unit=sibling, actor=la_outsider)
    c = _as_user(ministry)
    assert c.get(f"{BASE}/cases/").json()["count"] == 2
    patch = c.patch(f"{BASE}/cases/{a.pk}/", {"subject": "x"}, content_type="application/json")
    assert patch.status_code == 403
    create = c.post(
        f"{BASE}/cases/", {**BODY, "unit": office.code}, content_type="application/json"
    )
    assert create.status_code == 400 and "unit" in create.json()["error"]["fields"]


def test_the_list_endpoint_query_count_does_not_grow(
    client_a, office, django_assert_max_num_queries
):
    for n in range(10):
        make_case(unit=office, actor=None, subject=f"案件{n}")
    c = _as_client(client_a)
    c.get(f"{BASE}/cases/")
    with django_assert_max_num_queries(8):
        response = c.get(f"{BASE}/cases/")
    assert response.json()["count"] == 10


def test_the_detail_endpoint_shows_the_timeline(client_a, office):
    case = make_case(unit=office, actor=None)
    data = _as_client(client_a).get(f"{BASE}/cases/{case.pk}/").json()
    assert [e["to_status"] for e in data["events"]] == ["received"]
