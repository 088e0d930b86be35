"""The rights API (/api/v1/sso/): applications ask about people and their own roles, by their
own credentials; no client can ever read or change another client's roles."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from accounts.choices import RoleSource
from accounts.models import Application, DirectoryGroup, Role, RoleAssignment
from accounts.oidc.selectors import subject_for_user
from accounts.oidc.services import role_assign
from core.models import AuditLogEntry
from tests.accounts.oidc_support import basic, code_flow_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(client, make_app, make_user, units):
    """Two applications with their roles, a service client, people holding roles in both."""
    app_a, secret_a = make_app(name="人事系統", name_en="HR system")
    app_b, secret_b = make_app(name="公文系統", name_en="Documents")
    clerk = Role.objects.create(application=app_a, code="clerk", name_zh="承辦人", name_en="Clerk")
    admin_a = Role.objects.create(application=app_a, code="admin", name_zh="管理者")
    Role.objects.create(application=app_a, code="viewer", name_zh="檢視者")
    auditor_b = Role.objects.create(application=app_b, code="auditor", name_zh="稽核")
    admin_b = Role.objects.create(application=app_b, code="admin", name_zh="管理者")

    alice = make_user(username="alice", employee_number="E1001", organization=units["IM"])
    bob = make_user(username="bob", employee_number="E1002", organization=units["BLI"])
    RoleAssignment.objects.create(user=alice, role=clerk, scope=units["IM"])
    RoleAssignment.objects.create(user=alice, role=auditor_b)
    RoleAssignment.objects.create(user=bob, role=auditor_b)

    boss_a = make_user(username="boss.a", organization=units["IM"])
    RoleAssignment.objects.create(user=boss_a, role=admin_a)
    boss_b = make_user(username="boss.b", organization=units["IM"])
    RoleAssignment.objects.create(user=boss_b, role=admin_b)

    service_a, service_secret = make_app(
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, redirect_uris=""
    )

    def user_token(application, secret, user):
        browser = Client()
        browser.force_login(user)
        return code_flow_client(browser, application, secret)["access_token"]

    def client_token(application, secret):
        response = client.post(
            "/o/token/",
            {"grant_type": "client_credentials"},
            headers=basic(application.client_id, secret),
        )
        assert response.status_code == 200
        return response.json()["access_token"]

    return {
        "A": app_a,
        "A_basic": basic(app_a.client_id, secret_a),
        "B": app_b,
        "B_basic": basic(app_b.client_id, secret_b),
        "alice": alice,
        "bob": bob,
        "alice_token_A": user_token(app_a, secret_a, alice),
        "alice_token_B": user_token(app_b, secret_b, alice),
        "boss_A": bearer(user_token(app_a, secret_a, boss_a)),
        "boss_B": bearer(user_token(app_b, secret_b, boss_b)),
        "boss_a": boss_a,
        "service": service_a,
        "service_bearer": bearer(client_token(service_a, service_secret)),
        "clerk": clerk,
    }


# --- Who is this token ------------------------------------------------------------------------


def test_token_info_says_who_and_their_roles_in_the_calling_application(client, world):
    response = client.post(
        "/api/v1/sso/token-info/", {"token": world["alice_token_A"]}, headers=world["A_basic"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["active"] is True and body["client_id"] == world["A"].client_id
    assert body["sub"] == subject_for_user(world["alice"])
    assert body["user"]["employee_number"] == "E1001"
    assert [r["code"] for r in body["user"]["roles"]] == ["clerk"]
    assert body["user"]["roles"][0]["units"][0]["code"] == "IM"
    assert body["user"]["roles"][0]["everywhere"] is False


def test_token_info_of_another_clients_token_is_not_active(client, world):
    response = client.post(
        "/api/v1/sso/token-info/", {"token": world["alice_token_B"]}, headers=world["A_basic"]
    )
    assert response.json() == {"active": False}


def test_token_info_of_a_made_up_token_is_not_active(client, world):
    response = client.post(
        "/api/v1/sso/token-info/", {"token": "no-such-token"}, headers=world["A_basic"]
    )
    assert response.json() == {"active": False}


def test_token_info_needs_the_token_field(client, world):
    response = client.post("/api/v1/sso/token-info/", {}, headers=world["A_basic"])
    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]


# --- Authentication ---------------------------------------------------------------------------


def test_no_credentials_is_401_in_the_common_error_shape(client, world):
    response = client.get("/api/v1/sso/users/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "Bearer" in response["WWW-Authenticate"]


def test_a_wrong_secret_is_401(client, world):
    response = client.get(
        "/api/v1/sso/users/", headers=basic(world["A"].client_id, "not-the-secret")
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_public_client_has_no_secret_to_call_with(client, world, make_app):
    public, secret = make_app(client_type=Application.CLIENT_PUBLIC)
    response = client.get("/api/v1/sso/users/", headers=basic(public.client_id, secret))
    assert response.status_code == 401


def test_an_ordinary_users_token_may_not_read_the_applications_users(client, world):
    response = client.get("/api/v1/sso/users/", headers=bearer(world["alice_token_A"]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_an_expired_token_is_refused(client, world):
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/sso/users/", headers=world["service_bearer"])
    assert response.status_code == 401


def test_a_client_credentials_token_reads_its_own_application(client, world):
    role = Role.objects.create(application=world["service"], code="operator", name_zh="操作員")
    role_assign(application=world["service"], user=world["bob"], role_code=role.code)
    response = client.get("/api/v1/sso/users/", headers=world["service_bearer"])
    assert response.status_code == 200
    assert [u["username"] for u in response.json()["results"]] == ["bob"]
    assert response.json()["results"][0]["roles"][0]["code"] == "operator"


# --- What may user X do in my application -------------------------------------------------------


def test_rights_by_employee_number_and_by_sub_show_only_the_callers_roles(client, world):
    by_number = client.get("/api/v1/sso/users/E1001/", headers=world["A_basic"]).json()
    by_sub = client.get(
        f"/api/v1/sso/users/{subject_for_user(world['alice'])}/", headers=world["A_basic"]
    ).json()
    assert by_number == by_sub
    assert [r["code"] for r in by_number["roles"]] == ["clerk"]
    assert by_number["admitted"] is True
    # Application B sees B's role of the same person, never A's.
    seen_by_b = client.get("/api/v1/sso/users/E1001/", headers=world["B_basic"]).json()
    assert [r["code"] for r in seen_by_b["roles"]] == ["auditor"]


def test_rights_include_roles_from_directory_groups(client, world, units):
    group = DirectoryGroup.objects.create(directory="mol", dn="cn=hr", name="hr")
    group.roles.add(Role.objects.get(application=world["A"], code="viewer"))
    group.members.add(world["bob"])
    body = client.get("/api/v1/sso/users/E1002/", headers=world["A_basic"]).json()
    assert body["roles"] == [
        {
            "code": "viewer",
            "name_zh": "檢視者",
            "name_en": "",
            "everywhere": True,
            "units": [],
            "sources": ["directory"],
        }
    ]


def test_rights_say_when_the_access_policy_does_not_admit_the_person(client, world, units):
    world["A"].allowed_units.add(units["IM"])
    body = client.get("/api/v1/sso/users/E1002/", headers=world["A_basic"]).json()
    assert body["admitted"] is False


def test_an_unknown_person_is_404(client, world):
    response = client.get("/api/v1/sso/users/NOBODY/", headers=world["A_basic"])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Users and roles of my application ----------------------------------------------------------


def test_the_user_list_holds_only_the_callers_role_holders(client, world):
    body = client.get("/api/v1/sso/users/", headers=world["A_basic"]).json()
    assert {u["username"] for u in body["results"]} == {"alice", "boss.a"}
    for row in body["results"]:
        assert {r["code"] for r in row["roles"]} <= {"clerk", "admin", "viewer"}


def test_the_user_list_filters_by_role(client, world):
    body = client.get("/api/v1/sso/users/", {"role": "clerk"}, headers=world["A_basic"]).json()
    assert [u["username"] for u in body["results"]] == ["alice"]


def test_the_admitted_list_follows_the_access_policy(client, world, units):
    world["A"].allowed_units.add(units["BLI"])
    body = client.get("/api/v1/sso/users/", {"admitted": "true"}, headers=world["A_basic"]).json()
    assert [u["username"] for u in body["results"]] == ["bob"]
    assert body["results"][0]["admitted"] is True and body["results"][0]["roles"] == []


def test_the_user_list_takes_a_bounded_number_of_queries(
    client, world, make_user, units, django_assert_max_num_queries
):
    viewer = Role.objects.get(application=world["A"], code="viewer")
    group = DirectoryGroup.objects.create(directory="mol", dn="cn=v", name="v")
    group.roles.add(viewer)
    for n in range(40):
        user = make_user(organization=units["IM"])
        RoleAssignment.objects.create(user=user, role=world["clerk"], scope=units["IM"])
        if n % 2:
            group.members.add(user)
    with django_assert_max_num_queries(14):
        response = client.get("/api/v1/sso/users/", {"page_size": 50}, headers=world["A_basic"])
    assert response.json()["count"] == 42
    with django_assert_max_num_queries(14):
        client.get("/api/v1/sso/users/", {"page_size": 50}, headers=world["A_basic"])


def test_deactivated_holders_are_listed_only_on_request(client, world):
    world["alice"].is_active = False
    world["alice"].save()
    names = [
        u["username"]
        for u in client.get("/api/v1/sso/users/", headers=world["A_basic"]).json()["results"]
    ]
    assert "alice" not in names
    listed = client.get(
        "/api/v1/sso/users/", {"include_inactive": "true"}, headers=world["A_basic"]
    ).json()["results"]
    assert {"alice": False}.items() <= {u["username"]: u["is_active"] for u in listed}.items()


def test_the_role_list_is_the_callers_own(client, world):
    body = client.get("/api/v1/sso/roles/", headers=world["B_basic"]).json()
    assert [r["code"] for r in body["results"]] == ["admin", "auditor"]


# --- Role assignment by the application's administrators ---------------------------------------


def test_an_application_administrator_assigns_a_role_and_it_is_audited(client, world, units):
    response = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk", "unit": "BLI"},
        headers=world["boss_A"],
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [r["code"] for r in response.json()["roles"]] == ["clerk"]
    assignment = RoleAssignment.objects.get(user=world["bob"], role=world["clerk"])
    assert assignment.scope == units["BLI"] and assignment.source == RoleSource.APPLICATION
    assert assignment.granted_by == world["boss_a"]
    entry = AuditLogEntry.objects.get(message__startswith="oidc.role_granted")
    assert entry.actor == world["boss_a"]
    assert "role=clerk unit=BLI" in entry.message and world["A"].client_id in entry.message
    assert entry.object_id == str(world["bob"].pk)


def test_a_role_limited_to_a_unit_without_its_sub_units_says_so(client, world, units):
    response = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk", "unit": "BLI", "include_subunits": False},
        headers=world["boss_A"],
        content_type="application/json",
    )
    assert response.status_code == 201
    (clerk,) = response.json()["roles"]
    assert clerk["everywhere"] is False
    assert [(u["code"], u["include_subunits"]) for u in clerk["units"]] == [("BLI", False)]
    assignment = RoleAssignment.objects.get(user=world["bob"], role=world["clerk"])
    assert assignment.include_subunits is False
    entry = AuditLogEntry.objects.get(message__startswith="oidc.role_granted")
    assert "unit=BLI (without sub-units)" in entry.message


def test_assigning_a_held_role_again_only_changes_its_end_date(client, world, units):
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        "/api/v1/sso/users/E1001/roles/",
        {"role": "clerk", "unit": "IM", "valid_until": until},
        headers=world["boss_A"],
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (
        RoleAssignment.objects.get(user=world["alice"], role=world["clerk"]).valid_until.isoformat()
        == until
    )
    assert AuditLogEntry.objects.filter(message__startswith="oidc.role_updated").exists()


def test_the_client_alone_may_not_change_roles(client, world):
    for headers in (world["A_basic"], world["service_bearer"]):
        response = client.post(
            "/api/v1/sso/users/E1002/roles/",
            {"role": "clerk"},
            headers=headers,
            content_type="application/json",
        )
        assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=world["bob"], role=world["clerk"]).exists()


def test_an_ordinary_user_may_not_change_roles(client, world):
    response = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk"},
        headers=bearer(world["alice_token_A"]),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_an_administrator_of_another_application_cannot_touch_this_ones_roles(client, world):
    # B's administrator, with B's token: "clerk" is looked up in B, where it does not exist.
    response = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk"},
        headers=world["boss_B"],
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert not RoleAssignment.objects.filter(user=world["bob"], role=world["clerk"]).exists()
    # Nor remove A's roles.
    removal = client.delete("/api/v1/sso/users/E1001/roles/clerk/", headers=world["boss_B"])
    assert removal.status_code == 400
    assert RoleAssignment.objects.filter(user=world["alice"], role=world["clerk"]).exists()


def test_a_role_is_removed_and_it_is_audited(client, world):
    response = client.delete("/api/v1/sso/users/E1001/roles/clerk/", headers=world["boss_A"])
    assert response.status_code == 204
    assert not RoleAssignment.objects.filter(user=world["alice"], role=world["clerk"]).exists()
    entry = AuditLogEntry.objects.get(message__startswith="oidc.role_removed")
    assert entry.actor == world["boss_a"] and "role=clerk unit=IM" in entry.message
    # B's role of the same person is untouched.
    assert RoleAssignment.objects.filter(user=world["alice"], role__application=world["B"]).exists()


def test_removing_a_role_the_person_does_not_hold_is_404(client, world):
    response = client.delete("/api/v1/sso/users/E1002/roles/clerk/", headers=world["boss_A"])
    assert response.status_code == 404


def test_a_role_from_the_hr_feed_is_not_removed_here(client, world):
    RoleAssignment.objects.filter(user=world["alice"], role=world["clerk"]).update(
        source=RoleSource.HR
    )
    response = client.delete(
        "/api/v1/sso/users/E1001/roles/clerk/", headers={**world["boss_A"], "Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "From the HR feed" in response.json()["error"]["fields"]["role"][0]


def test_bad_input_names_the_field(client, world):
    response = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk", "unit": "NO-SUCH-UNIT", "valid_until": "2001-01-01"},
        headers=world["boss_A"],
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    past = client.post(
        "/api/v1/sso/users/E1002/roles/",
        {"role": "clerk", "valid_until": "2001-01-01"},
        headers=world["boss_A"],
        content_type="application/json",
    )
    assert past.status_code == 400 and "valid_until" in past.json()["error"]["fields"]


def test_a_replaced_secret_stops_working_at_once(client, world):
    assert client.get("/api/v1/sso/roles/", headers=world["A_basic"]).status_code == 200
    application = world["A"]
    application.client_secret = "n" * 60  # hashed on save, as in the admin
    application.save()
    assert client.get("/api/v1/sso/roles/", headers=world["A_basic"]).status_code == 401
    assert (
        client.get("/api/v1/sso/roles/", headers=basic(application.client_id, "n" * 60)).status_code
        == 200
    )


def test_a_deleted_application_cannot_call_any_more(client, world):
    assert client.get("/api/v1/sso/roles/", headers=world["B_basic"]).status_code == 200
    world["B"].delete()
    assert client.get("/api/v1/sso/roles/", headers=world["B_basic"]).status_code == 401
