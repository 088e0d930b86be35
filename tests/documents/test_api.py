import pytest
from django.urls import reverse

from accounts.models import Role, RoleAssignment
from core.api.views import API_ROOT_LINKS
from documents.choices import DocumentStatus, SecurityLevel, StepStatus
from documents.models import Document
from documents.services import signoff_approve

from .factories import DocumentFactory, unit

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/documents/"


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def register(client, **payload):
    body = {"unit": "IM", "subject": "勞資爭議調解申請", "category": "incoming", **payload}
    return client.post(LIST_URL, body, content_type="application/json")


def test_register_returns_number_and_status(api, owner):
    response = register(api(owner), sender="新北市政府勞工局", deadline="2026-12-31")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("勞動資字第")
    assert body["status"] == DocumentStatus.REGISTERED
    assert body["unit"] == "IM"
    assert Document.objects.get(pk=body["id"]).registered_by == owner


def test_register_with_steps_starts_the_chain(api, owner, signer_a, signer_b):
    response = register(
        api(owner),
        steps=[
            {"order": 1, "user": signer_a.username},
            {"order": 1, "user": signer_b.employee_number},
        ],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == DocumentStatus.IN_SIGNOFF
    [chain] = body["chains"]
    assert [s["status"] for s in chain["steps"]] == [StepStatus.PENDING, StepStatus.PENDING]
    assert body["timeline"][0]["kind"] == "start"


def test_register_is_idempotent_with_an_external_reference(api, owner):
    client = api(owner)
    first = register(client, external_system="appeals", external_id="CASE-7")
    again = register(client, external_system="appeals", external_id="CASE-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]


def test_missing_subject_names_the_field(api, owner):
    response = register(api(owner), subject="")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "subject" in error["fields"]
    assert not Document.objects.exists()


def test_bad_step_names_the_field(api, owner):
    response = register(api(owner), steps=[{"order": 1, "user": "no-such-person"}])
    assert response.status_code == 400
    assert "steps" in response.json()["error"]["fields"]
    assert not Document.objects.exists()


def test_refused_steps_save_nothing_and_use_no_number(api, owner, signer_a):
    client = api(owner)
    twice = [{"order": 1, "user": signer_a.username}, {"order": 1, "user": signer_a.username}]
    response = register(client, steps=twice)
    assert response.status_code == 400
    assert "steps" in response.json()["error"]["fields"]
    assert not Document.objects.exists()
    assert register(client).json()["serial"] == 1


def test_registering_for_another_unit_is_refused(api, outsider):
    response = register(api(outsider), unit="IM")
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]


def test_system_account_holding_the_registrar_role_may_register_for_any_unit(api, make_user):
    system = make_user(username="appeals-system", organization=None)
    RoleAssignment.objects.create(
        user=system, role=Role.objects.get(code="documents.registrar"), scope=None
    )
    response = register(api(system), unit="BLI")
    assert response.status_code == 201
    # It can read back what it registered.
    assert api(system).get(f"{LIST_URL}{response.json()['id']}/").status_code == 200


def test_status_by_id_and_by_number(api, owner, start, signer_a):
    document = DocumentFactory(unit=unit("IM"))
    chain = start(document, [(1, signer_a)])
    signoff_approve(step=chain.steps.get(), actor=signer_a, comment="同意")
    client = api(owner)
    by_id = client.get(f"{LIST_URL}{document.pk}/").json()
    by_number = client.get(reverse("api-v1:document-by-number", args=[document.number])).json()
    assert by_id == by_number
    assert by_id["status"] == DocumentStatus.APPROVED
    assert [a["kind"] for a in by_id["timeline"]] == ["start", "approve"]
    assert by_id["timeline"][1]["actor"]["username"] == signer_a.username
    assert by_id["timeline"][1]["comment"] == "同意"


def test_outsider_gets_404(api, outsider):
    document = DocumentFactory(unit=unit("IM"))
    client = api(outsider)
    assert client.get(f"{LIST_URL}{document.pk}/").status_code == 404
    response = client.get(reverse("api-v1:document-by-number", args=[document.number]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_classified_documents_are_not_listed_for_the_parent_unit(api, make_user):
    head = make_user(username="hq", organization=unit("MOL-HQ"))
    DocumentFactory(unit=unit("IM"), security_level=SecurityLevel.SECRET)
    ordinary = DocumentFactory(unit=unit("IM"))
    body = api(head).get(LIST_URL).json()
    assert [row["id"] for row in body["results"]] == [ordinary.pk]


def test_anonymous_gets_401(client):
    response = client.get(LIST_URL)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_query_count_is_bounded(api, owner, django_assert_max_num_queries):
    for n in range(25):
        DocumentFactory(subject=f"API {n}")
    client = api(owner)
    with django_assert_max_num_queries(18):
        body = client.get(LIST_URL, {"subject": "API"}).json()
    assert body["count"] == 25


def test_list_is_in_the_api_root(client):
    assert ("documents", "api-v1:document-list") in API_ROOT_LINKS
    assert client.get("/api/v1/").json()["links"]["documents"].endswith(LIST_URL)


def test_permission_class_is_pluggable(api, owner, settings):
    settings.DOCUMENTS_API_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    assert api(owner).get(LIST_URL).status_code == 403
