"""SCIM 2.0 push endpoint /scim/v2/Users: create, replace, patch, list, errors, authentication."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from accounts import authz
from accounts.choices import EmploymentStatus, HRSyncStatus, LoginMethod, UnitOfficerKind
from accounts.hr.constants import (
    SCIM_CONTENT_TYPE,
    SCIM_ENTERPRISE,
    SCIM_ERROR,
    SCIM_LIST,
    SCIM_MOL,
    SCIM_PATCH,
    SCIM_USER,
)
from accounts.models import HRSyncRun, UnitOfficer, User, UserSession
from core.models import AuditLogEntry, Organization

pytestmark = pytest.mark.django_db

TOKEN = "scim-token-abcdefghijklmnop"
USERS = "/scim/v2/Users"


@pytest.fixture(autouse=True)
def _scim(settings):
    settings.SECURE_SSL_REDIRECT = False  # production-mode test runs (DATABASE_URL) turn it on
    settings.HR_SCIM_TOKEN = TOKEN
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10  # does not apply to single pushes
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def scim():
    """Call the endpoint with the bearer token (a client of its own, without any session);
    return (response, JSON body)."""
    client = Client()

    def call(method, path, body=None, token=TOKEN, content_type=SCIM_CONTENT_TYPE, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        kwargs = {}
        if body is not None:
            kwargs = {
                "data": body if isinstance(body, (str, bytes)) else json.dumps(body),
                "content_type": content_type,
            }
        response = getattr(client, method.lower())(path, **kwargs, **headers, **extra)
        data = json.loads(response.content) if response.content else None
        return response, data

    return call


def resource(**overrides):
    data = {
        "schemas": [SCIM_USER, SCIM_ENTERPRISE, SCIM_MOL],
        "userName": "kao.wen",
        "externalId": "S0001",
        "displayName": "高文",
        "name": {"formatted": "Kao Wen"},
        "title": "科員",
        "active": True,
        "emails": [{"value": "kao.wen@mol.gov.tw", "type": "work", "primary": True}],
        "phoneNumbers": [{"value": "0922333444", "type": "mobile"}],
        SCIM_ENTERPRISE: {"employeeNumber": "S0001"},
        SCIM_MOL: {"unitCode": "IM", "effectiveDate": "2025-04-01"},
    }
    data.update(overrides)
    return data


def assert_scim_error(response, data, status, scim_type=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith(SCIM_CONTENT_TYPE)
    assert data["schemas"] == [SCIM_ERROR]
    assert data["status"] == str(status)
    assert data["detail"]
    if scim_type:
        assert data["scimType"] == scim_type


def test_create_user(scim):
    response, data = scim("POST", USERS, resource())
    assert response.status_code == 201
    assert response["Content-Type"].startswith(SCIM_CONTENT_TYPE)
    user = User.objects.get(employee_number="S0001")
    assert response["Location"].endswith(f"/scim/v2/Users/{user.pk}")
    assert (user.username, user.name_zh, user.name_en) == ("kao.wen", "高文", "Kao Wen")
    assert (user.organization.code, user.mobile, user.email) == (
        "IM",
        "0922333444",
        "kao.wen@mol.gov.tw",
    )
    assert data["id"] == str(user.pk)
    assert data[SCIM_MOL]["unitCode"] == "IM" and data["active"] is True
    run = HRSyncRun.objects.latest("pk")
    assert (run.status, run.created_count, run.source) == (
        HRSyncStatus.APPLIED,
        1,
        "SCIM POST /Users",
    )


def test_create_for_an_existing_employee_is_a_conflict(scim, make_user):
    make_user(employee_number="S0001")
    response, data = scim("POST", USERS, resource())
    assert_scim_error(response, data, 409, "uniqueness")


def test_create_with_a_taken_user_name_is_a_conflict(scim, make_user):
    make_user(username="kao.wen", employee_number="X0001")
    response, data = scim("POST", USERS, resource())
    assert_scim_error(response, data, 409, "uniqueness")
    assert "userName" in data["detail"]


def test_replace_user_moves_and_clears_what_is_left_out(scim, make_user):
    user = make_user(employee_number="S0001", username="kao.wen", job_title="科員")
    body = resource(title=None, phoneNumbers=[])
    body[SCIM_MOL] = {"unitCode": "DLR", "effectiveDate": "2025-05-01"}
    del body["title"]
    response, data = scim("PUT", f"{USERS}/{user.pk}", body)
    assert response.status_code == 200, data
    user.refresh_from_db()
    assert (user.organization.code, user.job_title, user.mobile) == ("DLR", "", "")
    assert data[SCIM_MOL]["unitCode"] == "DLR" and "title" not in data


def test_replace_cannot_change_the_employee_number(scim, make_user):
    user = make_user(employee_number="S0009", username="kao.wen")
    response, data = scim("PUT", f"{USERS}/{user.pk}", resource())
    assert_scim_error(response, data, 400, "mutability")
    assert User.objects.get(pk=user.pk).employee_number == "S0009"


def test_patch_active_false_deactivates_and_signs_out(scim, make_user, client):
    user = make_user(employee_number="S0002")
    other = make_user(employee_number="S0003")
    client.force_login(user)
    key = client.session.session_key
    # What the login view records (the MFA part may already have done so on user_logged_in).
    UserSession.objects.get_or_create(
        session_key=key, defaults={"user": user, "method": LoginMethod.PASSWORD}
    )

    body = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", body)

    assert response.status_code == 200, data
    assert data["active"] is False and data[SCIM_MOL]["employmentStatus"] == "left"
    user.refresh_from_db()
    assert user.is_active is False and user.employment_status == EmploymentStatus.LEFT
    assert not Session.objects.filter(session_key=key).exists()
    assert not client.get(reverse("core:intranet_home")).wsgi_request.user.is_authenticated
    assert User.objects.get(pk=other.pk).is_active  # one push, no safety-valve refusal
    run = HRSyncRun.objects.latest("pk")
    assert run.deactivated_count == 1
    assert AuditLogEntry.objects.filter(
        object_id=str(user.pk), actor_repr="hr-scim", message__contains=f"run #{run.pk}"
    ).exists()


def test_patch_in_azure_style_without_path_and_with_string_boolean(scim, make_user):
    user = make_user(employee_number="S0004")
    body = {
        "schemas": [SCIM_PATCH],
        "Operations": [
            {"op": "Replace", "value": {"active": "False", "title": "離職人員"}},
        ],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", body)
    assert response.status_code == 200, data
    user.refresh_from_db()
    assert (user.is_active, user.job_title) == (False, "離職人員")


def test_patch_other_attributes_moves_and_keeps_the_rest(scim, make_user):
    user = make_user(employee_number="S0005", mobile="0911000111")
    body = {
        "schemas": [SCIM_PATCH],
        "Operations": [
            {"op": "replace", "path": f"{SCIM_MOL}:unitCode", "value": "SEC"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "moved@mol.gov.tw"},
            {"op": "add", "path": "name.formatted", "value": "Moved Person"},
        ],
    }
    with freeze_time("2026-03-02 10:00:00"):
        response, data = scim("PATCH", f"{USERS}/{user.pk}", body)
    assert response.status_code == 200, data
    user.refresh_from_db()
    assert (user.organization.code, user.email, user.name_en) == (
        "SEC",
        "moved@mol.gov.tw",
        "Moved Person",
    )
    assert user.mobile == "0911000111" and user.is_active
    assert str(user.hr_effective_date) == "2026-03-02"  # today, when the push does not say


def test_patch_active_true_brings_a_leaver_back(scim, make_user):
    user = make_user(employee_number="S0006", is_active=False, employment_status="left")
    body = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": True}],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", body)
    assert response.status_code == 200, data
    user.refresh_from_db()
    assert user.is_active and user.employment_status == EmploymentStatus.ACTIVE


def test_filter_by_user_name(scim, make_user):
    target = make_user(username="Lee.Ming", employee_number="S0007")
    make_user(employee_number="S0008")
    response, data = scim("GET", USERS + '?filter=userName eq "lee.ming"')
    assert response.status_code == 200
    assert response["Content-Type"].startswith(SCIM_CONTENT_TYPE)
    assert data["schemas"] == [SCIM_LIST]
    assert data["totalResults"] == 1
    assert [r["id"] for r in data["Resources"]] == [str(target.pk)]
    assert data["Resources"][0][SCIM_ENTERPRISE]["employeeNumber"] == "S0007"


def test_filter_by_employee_number_and_paging(scim, make_user):
    make_user(employee_number="S0010")
    response, data = scim("GET", USERS + f'?filter={SCIM_ENTERPRISE}:employeeNumber eq "S0010"')
    assert data["totalResults"] == 1
    for n in range(3):
        make_user(employee_number=f"Q{n}")
    response, data = scim("GET", USERS + "?startIndex=2&count=2")
    assert data["startIndex"] == 2 and data["itemsPerPage"] == 2
    assert data["totalResults"] == User.objects.count()


def test_unsupported_filter_is_an_invalid_filter_error(scim):
    response, data = scim("GET", USERS + '?filter=title co "x"')
    assert_scim_error(response, data, 400, "invalidFilter")


def test_get_by_id_and_unknown_id(scim, make_user):
    user = make_user(employee_number="S0011")
    response, data = scim("GET", f"{USERS}/{user.pk}")
    assert response.status_code == 200 and data["userName"] == user.username
    response, data = scim("GET", f"{USERS}/999999")
    assert_scim_error(response, data, 404)


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_requests_without_the_right_token_are_refused(scim, token):
    response, data = scim("GET", USERS, token=token)
    assert_scim_error(response, data, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_scim_is_closed_when_no_token_is_configured(scim, settings):
    settings.HR_SCIM_TOKEN = ""
    response, data = scim("POST", USERS, resource())
    assert_scim_error(response, data, 401)
    assert not User.objects.filter(employee_number="S0001").exists()


@pytest.mark.parametrize(
    ("body", "scim_type", "attribute"),
    [
        ("{not json", "invalidSyntax", None),
        ({"userName": "x"}, "invalidSyntax", "schemas"),
        (resource(emails=[{"value": "not-an-address"}]), "invalidValue", "emails"),
        (resource(**{SCIM_MOL: {"unitCode": "NOPE"}}), "invalidValue", "unitCode"),
        (resource(**{SCIM_ENTERPRISE: {}}, externalId=None), "invalidValue", "employeeNumber"),
        (resource(userName=""), "invalidValue", "userName"),
        (resource(active="maybe"), "invalidValue", "active"),
        (
            resource(**{SCIM_MOL: {"unitCode": "IM", "effectiveDate": "01/02/2025"}}),
            "invalidValue",
            "effectiveDate",
        ),
    ],
)
def test_bad_payload_gets_the_scim_error_shape(scim, body, scim_type, attribute):
    response, data = scim("POST", USERS, body)
    assert_scim_error(response, data, 400, scim_type)
    if attribute:
        assert attribute in data["detail"]
    assert not User.objects.filter(employee_number="S0001").exists()


def test_bad_patch_operation_gets_the_scim_error_shape(scim, make_user):
    user = make_user(employee_number="S0012")
    body = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": "nickName", "value": "x"}],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", body)
    assert_scim_error(response, data, 400, "invalidPath")


def test_wrong_content_type_is_refused(scim):
    response, data = scim("POST", USERS, json.dumps(resource()), content_type="text/plain")
    assert_scim_error(response, data, 415)


def test_delete_is_refused_because_accounts_are_never_deleted(scim, make_user):
    user = make_user(employee_number="S0013")
    response, data = scim("DELETE", f"{USERS}/{user.pk}")
    assert_scim_error(response, data, 405)
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


def test_failed_push_is_recorded_as_a_failed_run(scim):
    scim("POST", USERS, resource(**{SCIM_MOL: {"unitCode": "NOPE"}}))
    # Payload errors found before the service never reach it; a unit unknown to the database
    # is found by the service and recorded.
    run = HRSyncRun.objects.latest("pk")
    assert run.status == HRSyncStatus.FAILED and run.error_count == 1
    assert run.errors[0]["code"] == "unknown_unit"


def test_service_provider_config(scim):
    response, data = scim("GET", "/scim/v2/ServiceProviderConfig")
    assert response.status_code == 200 and data["patch"]["supported"] is True


def test_scim_user_url_name():
    assert reverse("scim:user", args=[5]) == "/scim/v2/Users/5"


# --- Head and deputy (MOL extension unitRole) ----------------------------------------------------


def hr_posts():
    return sorted(
        (o.user.employee_number, o.unit.code, o.kind, o.source)
        for o in UnitOfficer.objects.select_related("user", "unit")
    )


def test_create_a_unit_head(scim):
    body = resource()
    body[SCIM_MOL] = {"unitCode": "IM", "effectiveDate": "2025-04-01", "unitRole": "head"}
    response, data = scim("POST", USERS, body)
    assert response.status_code == 201, data
    assert hr_posts() == [("S0001", "IM", "head", "hr")]
    assert authz.unit_head(Organization.objects.get(code="IM")).employee_number == "S0001"
    assert data[SCIM_MOL]["unitRole"] == "head"


def test_replace_without_unit_role_ends_the_post(scim, make_user):
    user = make_user(employee_number="S0001", username="kao.wen")
    UnitOfficer.objects.create(
        unit=user.organization, user=user, kind=UnitOfficerKind.DEPUTY, source="hr"
    )
    response, data = scim("PUT", f"{USERS}/{user.pk}", resource())
    assert response.status_code == 200, data
    assert hr_posts() == []
    assert "unitRole" not in data[SCIM_MOL]


def test_patch_unit_role_and_a_patch_of_something_else_keeps_it(scim, make_user):
    user = make_user(employee_number="S0020")
    set_role = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": f"{SCIM_MOL}:unitRole", "value": "deputy"}],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", set_role)
    assert response.status_code == 200, data
    assert data[SCIM_MOL]["unitRole"] == "deputy"
    other = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": "title", "value": "專門委員"}],
    }
    response, data = scim("PATCH", f"{USERS}/{user.pk}", other)
    assert response.status_code == 200, data
    assert hr_posts() == [("S0020", "IM", "deputy", "hr")]
    remove = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "remove", "path": f"{SCIM_MOL}:unitRole"}],
    }
    scim("PATCH", f"{USERS}/{user.pk}", remove)
    assert hr_posts() == []


def test_a_manual_post_is_not_touched_by_a_push(scim, make_user):
    user = make_user(employee_number="S0001", username="kao.wen")
    UnitOfficer.objects.create(
        unit=user.organization, user=user, kind=UnitOfficerKind.HEAD, source="manual"
    )
    response, data = scim("PUT", f"{USERS}/{user.pk}", resource())
    assert response.status_code == 200, data
    assert hr_posts() == [("S0001", "IM", "head", "manual")]


def test_an_unknown_unit_role_is_an_invalid_value(scim):
    body = resource()
    body[SCIM_MOL] = {"unitCode": "IM", "unitRole": "chief"}
    response, data = scim("POST", USERS, body)
    assert_scim_error(response, data, 400, "invalidValue")
    assert f"{SCIM_MOL}:unitRole" in data["detail"]


def test_the_list_reads_posts_without_a_query_per_user(
    scim, make_user, django_assert_max_num_queries
):
    for n in range(5):
        user = make_user(employee_number=f"P{n}")
        UnitOfficer.objects.create(
            unit=user.organization,
            user=user,
            kind=UnitOfficerKind.HEAD if n == 0 else UnitOfficerKind.DEPUTY,
            source="hr",
        )
    with django_assert_max_num_queries(8):
        response, data = scim("GET", USERS)
    roles = {
        r[SCIM_ENTERPRISE]["employeeNumber"]: r[SCIM_MOL].get("unitRole") for r in data["Resources"]
    }
    assert roles["P0"] == "head" and roles["P4"] == "deputy"
