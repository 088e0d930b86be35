"""Client registration in the admin, role assignments in the admin, and the counters."""

import io

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Application, Role, RoleAssignment
from accounts.oidc import metrics
from accounts.oidc.demo import DEMO_CLIENT_SECRET, load_applications
from core.models import AuditLogEntry
from tests.accounts.mfa_support import enrol
from tests.accounts.oidc_support import basic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


def sign_in_with_second_factor(client, user):
    """A session that has passed the second factor (staff need it everywhere)."""
    client.force_login(user)
    device, _codes = enrol(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, superuser):
    return sign_in_with_second_factor(client, superuser)


def application_form(units, **overrides):
    data = {
        "name": "差勤系統",
        "name_en": "Attendance",
        "description": "",
        "icon": "calendar",
        "is_internal": "",
        "client_id": "attendance-client",
        "client_secret": "s" * 60,
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "https://attendance.mol.gov.tw/oidc/callback",
        "post_logout_redirect_uris": "",
        "backchannel_logout_uri": "https://attendance.mol.gov.tw/oidc/backchannel",
        "allowed_origins": "",
        "allowed_units": [units["IM"].pk],
        "allowed_roles": [],
        "allowed_directory_groups": [],
        "launch_url": "https://attendance.mol.gov.tw/",
        "show_in_launcher": "on",
    }
    data.update(overrides)
    return data


def test_the_admin_registers_a_client_with_who_may_use_it(admin_client, units):
    page = admin_client.get(reverse("admin:accounts_application_add"))
    assert page.status_code == 200
    assert b"allowed_units" in page.content and b"backchannel_logout_uri" in page.content

    response = admin_client.post(reverse("admin:accounts_application_add"), application_form(units))
    assert response.status_code == 302, response.content[:2000]
    application = Application.objects.get(client_id="attendance-client")
    assert list(application.allowed_units.all()) == [units["IM"]]
    assert application.algorithm == Application.RS256_ALGORITHM
    # External: the consent screen is shown (skip_authorization follows is_internal).
    assert application.skip_authorization is False
    assert application.client_secret.startswith("pbkdf2_sha256_client$")


def test_an_internal_client_skips_consent(admin_client, units):
    admin_client.post(
        reverse("admin:accounts_application_add"), application_form(units, is_internal="on")
    )
    assert Application.objects.get(client_id="attendance-client").skip_authorization is True


def test_a_short_hand_typed_secret_is_refused(admin_client, units):
    response = admin_client.post(
        reverse("admin:accounts_application_add"), application_form(units, client_secret="abc123")
    )
    assert response.status_code == 200
    assert not Application.objects.filter(client_id="attendance-client").exists()
    assert "client_secret" in response.context["adminform"].form.errors


def test_role_assignments_made_in_the_admin_are_audited(admin_client, make_app, make_user, units):
    application, _ = make_app()
    role = Role.objects.create(application=application, code="clerk", name_zh="承辦人")
    person = make_user(organization=units["IM"])
    response = admin_client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": person.pk, "role": role.pk, "scope": units["IM"].pk, "valid_until": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=person, role=role)
    assert AuditLogEntry.objects.filter(message__startswith="oidc.role_granted").count() == 1

    admin_client.post(
        reverse("admin:accounts_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditLogEntry.objects.filter(message__startswith="oidc.role_removed").count() == 1


@pytest.mark.parametrize(
    "model",
    ["application", "role", "roleassignment", "applicationsignin", "backchanneldelivery"],
)
def test_the_admin_lists_open(admin_client, model):
    name = {"backchanneldelivery": "backchannellogoutdelivery"}.get(model, model)
    assert admin_client.get(reverse(f"admin:accounts_{name}_changelist")).status_code == 200


# --- Counters -----------------------------------------------------------------------------------


def test_logins_and_token_grants_are_counted(client, make_app, make_user, units, password):
    person = make_user(organization=units["IM"])
    client.post("/accounts/login/", {"username": person.username, "password": password})
    client.logout()
    client.post("/accounts/login/", {"username": person.username, "password": "wrong"})
    application, secret = make_app(
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, redirect_uris=""
    )
    for _ in range(3):
        client.post(
            "/o/token/",
            {"grant_type": "client_credentials"},
            headers=basic(application.client_id, secret),
        )
    counters = metrics.snapshot()

    def value(name, **labels):
        return next(s["value"] for s in counters[name]["values"] if s["labels"] == labels)

    assert value("sso_logins_total", method="password", result="success") == 1
    assert value("sso_logins_total", method="password", result="failure") == 1
    assert value("sso_token_grants_total", grant_type="client_credentials") == 3


def test_the_counters_need_the_monitoring_token_or_staff(client, settings, staff_user, owner):
    settings.SSO_METRICS_TOKEN = "monitoring-token-0123456789"
    assert client.get("/api/v1/sso/metrics/").status_code == 401
    wrong = client.get("/api/v1/sso/metrics/", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    client.force_login(owner)
    assert client.get("/api/v1/sso/metrics/").status_code == 403
    sign_in_with_second_factor(client, staff_user)
    assert client.get("/api/v1/sso/metrics/").status_code == 200
    client.logout()
    ok = client.get(
        "/api/v1/sso/metrics/", headers={"Authorization": "Bearer monitoring-token-0123456789"}
    )
    assert ok.status_code == 200
    assert "sso_token_grants_total" in ok.json()["counters"]


def test_the_counters_are_also_prometheus_text(client, staff_user):
    metrics.increment("sso_userinfo_requests_total")
    sign_in_with_second_factor(client, staff_user)
    response = client.get("/api/v1/sso/metrics/", {"format": "prometheus"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "# TYPE sso_logins_total counter" in text
    assert 'sso_logins_total{method="certificate",result="failure"} 0' in text
    assert "sso_userinfo_requests_total 1" in text


# --- Demo data ----------------------------------------------------------------------------------


def test_the_demo_applications_load_twice_and_work(client, make_user, units, settings):
    # Demo data is for the embedded default, where plain-http loopback redirect URIs are allowed.
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    }

    make_user(username="wang.jianguo", organization=units["IM"])
    load_applications(io.StringIO())
    load_applications(io.StringIO())
    assert Application.objects.filter(client_id__startswith="demo-").count() == 5
    assert RoleAssignment.objects.filter(user__username="wang.jianguo").count() == 3
    token = client.post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        headers=basic("demo-monitoring", DEMO_CLIENT_SECRET),
    )
    assert token.status_code == 200
    assert not Application.objects.get(client_id="demo-training-partner").skip_authorization
