"""POST /api/v1/notifications/: OAuth2 client-credentials tokens with the scope
notifications:send, idempotent by (client, message_id), per-client rate limit, delivery
states, the project's error shape."""

import pytest
from django.test import Client

from accounts.models import Application
from notifications.models import ApiClient, ApiMessage, Notice
from tests.accounts.factories import RoleAssignmentFactory, RoleFactory, unit

pytestmark = pytest.mark.django_db
SECRET = "s3cret-for-the-test-client-0123456789"


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


def _application(name: str, *, sender: bool = True, **sender_fields) -> Application:
    app = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,
        redirect_uris="",
    )
    if sender:
        ApiClient.objects.create(application=app, source=name, **sender_fields)
    return app


def _token(app: Application, scope: str = "notifications:send") -> str:
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope,
         "client_id": app.client_id, "client_secret": SECRET},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _post(body: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(
        "/api/v1/notifications/", body, content_type="application/json", headers=headers
    )


def _body(**extra) -> dict:
    return {
        "message_id": "hr-2026-0001",
        "recipients": {"employees": ["T00001"]},
        "kind": "information",
        "title": {"zh-hant": "薪資單已發布", "en": "Payslip published"},
        "body": "請至人事系統查看。",
        "link": "https://hr.example.gov.tw/payslips/2026-12",
        **extra,
    }


@pytest.fixture
def hr_app(db):
    return _application("HR system")


def test_a_notice_from_an_external_system(hr_app, owner):
    token = _token(hr_app)
    response = _post(_body(recipients={"employees": [owner.employee_number]}), token)
    assert response.status_code == 201, response.content
    data = response.json()
    notice = Notice.objects.get(recipient=owner)
    assert data["id"] == notice.api_message_id
    assert data["recipients"] == 1
    assert notice.title == "薪資單已發布"
    assert notice.source == "HR system"
    assert notice.link == "https://hr.example.gov.tw/payslips/2026-12"


def test_a_repeat_returns_the_first_result_and_no_second_notice(hr_app, owner):
    token = _token(hr_app)
    body = _body(recipients={"employees": [owner.employee_number]})
    first = _post(body, token)
    again = _post({**body, "title": "changed"}, token)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Notice.objects.count() == 1


def test_another_clients_message_id_does_not_collide(hr_app, owner):
    other = _application("Leave system")
    body = _body(recipients={"employees": [owner.employee_number]})
    first = _post(body, _token(hr_app)).json()
    second = _post(body, _token(other)).json()
    assert first["id"] != second["id"]
    assert Notice.objects.filter(recipient=owner).count() == 2


def test_units_and_roles(hr_app, owner, colleague, outsider):
    role = RoleFactory(code="tests.payroll")
    RoleAssignmentFactory(user=outsider, role=role, scope=unit("BLI"))
    body = _body(recipients={"units": ["IM"], "roles": [{"code": "tests.payroll", "unit": "BLI"}]})
    response = _post(body, _token(hr_app))
    assert response.status_code == 201, response.content
    names = sorted(Notice.objects.values_list("recipient__username", flat=True))
    assert names == ["colleague", "outsider", "owner"]


def test_unknown_recipients_are_named_in_the_error_shape(hr_app):
    response = _post(_body(recipients={"employees": ["NOPE1"], "units": ["ZZZ"]}), _token(hr_app))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert "NOPE1" in error["fields"]["employees"][0]
    assert "ZZZ" in error["fields"]["units"][0]
    assert not ApiMessage.objects.exists()


def test_401_without_a_token_or_with_a_bad_one(hr_app):
    for token in (None, "not-a-token"):
        response = _post(_body(), token)
        assert response.status_code == 401
        assert response.json()["error"]["status"] == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_403_without_the_scope_or_without_registration(owner):
    registered = _application("Registered")
    response = _post(_body(), _token(registered, scope="roles"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    unregistered = _application("Unregistered", sender=False)
    assert _post(_body(), _token(unregistered)).status_code == 403
    assert not Notice.objects.exists()


def test_alerts_need_the_senders_permission(owner):
    app = _application("Monitor")
    body = _body(kind="alert", recipients={"employees": [owner.employee_number]})
    assert _post(body, _token(app)).status_code == 400
    ApiClient.objects.filter(application=app).update(allow_alerts=True)
    assert _post(body, _token(app)).status_code == 201


def test_the_per_client_rate_limit(owner):
    app = _application("Chatty", rate_per_minute=2)
    quiet = _application("Quiet")
    token = _token(app)
    codes = [
        _post(
            _body(message_id=f"m{i}", recipients={"employees": [owner.employee_number]}), token
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert (
        _post(
            _body(message_id="q1", recipients={"employees": [owner.employee_number]}), _token(quiet)
        ).status_code
        == 201
    )


def test_delivery_states_for_the_sending_client_only(
    hr_app, owner, django_capture_on_commit_callbacks
):
    token = _token(hr_app)
    with django_capture_on_commit_callbacks(execute=True):
        created = _post(_body(recipients={"employees": [owner.employee_number]}), token).json()
    response = Client().get(
        f"/api/v1/notifications/{created['id']}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    [state] = response.json()["notices"]
    assert state["employee"] == owner.employee_number
    assert state["state"] == "unread"
    assert [(d["channel"], d["state"]) for d in state["deliveries"]] == [("email", "sent")]
    by_id = Client().get("/api/v1/notifications/", {"message_id": "hr-2026-0001"},
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert by_id.json()["id"] == created["id"]
    other = _token(_application("Other"))
    response = Client().get(
        f"/api/v1/notifications/{created['id']}/", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_bad_bodies(hr_app):
    token = _token(hr_app)
    assert _post(_body(kind="spam"), token).status_code == 400
    assert _post(_body(title={"fr": "Bonjour"}), token).status_code == 400
    assert _post(_body(link="javascript:alert(1)"), token).status_code == 400
    assert _post(_body(recipients={}), token).status_code == 400


def test_the_metrics_need_monitoring(client, staff_user, owner, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the second factor is the MFA part's subject
    assert client.get("/api/v1/notifications/metrics/").status_code in (401, 403)
    client.force_login(owner)
    assert client.get("/api/v1/notifications/metrics/").status_code == 403
    client.force_login(staff_user)
    data = client.get("/api/v1/notifications/metrics/").json()
    assert {"sent", "failed", "fallback", "queue_age_seconds"} <= set(data)
