"""Contact rules with their steps, alert texts and maintenance windows through the pages:
managers only; invalid rows answer 400 with the field named and nothing saved; double
submits make one; hostile names are escaped."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from freezegun import freeze_time

from core.models import AuditLogEntry
from monitoring.models import AlertTemplate, ContactRule, EscalationStep, MaintenanceWindow
from monitoring.services.maintenance import in_maintenance
from tests.accounts.factories import RoleFactory, unit
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

pytestmark = pytest.mark.django_db

TOKEN = "t0k3n-abcdefghijklmnop"
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def logged_in(client, manager):
    force_login_verified(client, manager)  # the manager role is sensitive: a second factor
    return english(client)


def step(index: int, **fields) -> dict:
    data = {
        "wait_minutes": "0",
        "users": [],
        "units": [],
        "role": "",
        "rota": "",
        "email": "on",
        "sms": "",
        "webhook_url": "",
    }
    data.update(fields)
    return {f"steps-{index}-{k}": v for k, v in data.items() if v not in ("", [])}


def rule_data(*steps: dict, initial: int = 0, **fields) -> dict:
    data = {
        "name": "Night duty",
        "hours": "night",
        "repeat": "2",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
    }
    for row in steps:
        data.update(row)
    data.update(fields)
    return data


def test_a_manager_creates_a_rule_with_two_ordered_steps(logged_in, owner, colleague):
    data = rule_data(
        step(0, users=[owner.pk]),
        step(1, wait_minutes="15", units=[unit("IM").pk], sms="on", email=""),
        form_token=TOKEN,
    )
    response = logged_in.post("/monitoring/rules/new/", data)
    rule = ContactRule.objects.get(name="Night duty")
    assert response.status_code == 302, response.content
    assert (rule.hours, rule.repeat) == ("night", 2)
    first, second = rule.steps.order_by("order")
    assert (first.order, list(first.users.all()), first.email) == (1, [owner], True)
    assert (second.order, second.wait_minutes, second.sms, second.email) == (2, 15, True, False)
    assert list(second.units.all()) == [unit("IM")]
    assert logged_in.post("/monitoring/rules/new/", data).status_code == 302  # double submit
    assert ContactRule.objects.count() == 1
    listing = logged_in.get("/monitoring/rules/")
    assert b"Night duty" in listing.content


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"wait_minutes": "5"}, "users", b"Name at least one person"),
        ({"users": ["999999"]}, "users", b"Select a valid choice"),
        ({"role": "no.such.role", "email": "on"}, "role", b"no portal role"),
        ({"rota": "night", "email": ""}, "email", b"at least one channel"),
        ({"rota": "a b c"}, "rota", b"Enter a valid"),
        ({"rota": "x", "wait_minutes": "-1"}, "wait_minutes", b"greater than or equal to 0"),
        (
            {"rota": "x", "webhook_url": "https://exa mple.com"},
            "webhook_url",
            b"Enter a valid URL.",
        ),
    ],
)
def test_an_invalid_step_is_a_400_naming_the_field_and_saves_nothing(
    logged_in, owner, row, field, message
):
    data = rule_data(step(0, users=[owner.pk]), step(1, **row))
    response = logged_in.post("/monitoring/rules/new/", data)
    assert response.status_code == 400
    assert message in response.content
    assert f'id="id_steps-1-{field}_error"'.encode() in response.content
    assert b"Step 2" in response.content
    assert not ContactRule.objects.exists() and not EscalationStep.objects.exists()


def test_an_invalid_rule_keeps_every_typed_row(logged_in, owner):
    data = rule_data(
        step(0, users=[owner.pk], wait_minutes="7"), step(1, role="no.such.role"), name="夜間"
    )
    response = logged_in.post("/monitoring/rules/new/", data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="夜間"' in content and 'value="7"' in content
    assert 'value="no.such.role"' in content
    assert f'<option value="{owner.pk}" selected>' in content


def test_a_rule_without_a_name_is_refused(logged_in, owner):
    response = logged_in.post(
        "/monitoring/rules/new/", rule_data(step(0, users=[owner.pk]), name="")
    )
    assert response.status_code == 400 and b'id="id_name_error"' in response.content
    assert not ContactRule.objects.exists()


def test_a_rule_without_steps_is_refused(logged_in):
    response = logged_in.post("/monitoring/rules/new/", rule_data())
    assert response.status_code == 400 and b"at least one step" in response.content


def test_editing_keeps_the_first_steps_row_and_drops_a_deleted_step(logged_in, rule, owner):
    first, second = rule.steps.order_by("order")
    page = logged_in.get(f"/monitoring/rules/{rule.pk}/")
    assert b"BLI on call" in page.content and b'value="10"' in page.content
    data = rule_data(
        step(0, users=[owner.pk], wait_minutes="2"),
        step(1, users=[owner.pk], wait_minutes="10", DELETE="on"),
        step(2),  # the empty extra row: ignored
        initial=2,
        name="BLI on call",
        hours="office",
    )
    response = logged_in.post(f"/monitoring/rules/{rule.pk}/", data)
    assert response.status_code == 302, response.content
    assert list(rule.steps.values_list("pk", "order", "wait_minutes")) == [(first.pk, 1, 2)]
    rule.refresh_from_db()
    assert rule.hours == "office"
    assert AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(EscalationStep),
        object_id=str(second.pk),
        action="delete",
    ).exists()


def test_a_portal_role_may_be_named(logged_in):
    RoleFactory(code="monitoring.operator")
    response = logged_in.post(
        "/monitoring/rules/new/", rule_data(step(0, role="monitoring.operator"))
    )
    assert response.status_code == 302
    assert EscalationStep.objects.get().role == "monitoring.operator"


def test_rule_names_with_markup_are_escaped(logged_in, owner):
    name = "<img src=x onerror=alert(1)>\u2067夜"
    logged_in.post("/monitoring/rules/new/", rule_data(step(0, users=[owner.pk]), name=name))
    rule = ContactRule.objects.get()
    assert "\u2067" not in rule.name
    content = logged_in.get("/monitoring/rules/").content
    assert b"<img src=x" not in content and b"&lt;img src=x" in content


@pytest.mark.parametrize("who", ["operator", "colleague", "outsider"])
def test_only_managers_reach_rules_texts_and_windows(client, request, who, rule):
    client.force_login(request.getfixturevalue(who))
    for url in (
        "/monitoring/rules/",
        "/monitoring/rules/new/",
        f"/monitoring/rules/{rule.pk}/",
        "/monitoring/alert-texts/",
        "/monitoring/alert-texts/down/",
        "/monitoring/maintenance/",
        "/monitoring/maintenance/new/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code in (403, 405), url
    assert list(ContactRule.objects.values_list("name", flat=True)) == ["BLI on call"]


def test_the_manager_sees_the_sub_navigation(logged_in):
    content = logged_in.get("/monitoring/").content
    for url in (b"/monitoring/rules/", b"/monitoring/alert-texts/", b"/monitoring/maintenance/"):
        assert b'href="' + url + b'"' in content


def test_alert_texts_are_edited_in_both_languages(logged_in):
    form = logged_in.get("/monitoring/alert-texts/down/")
    assert "【服務中斷】".encode() in form.content  # the built-in text to start from
    data = {
        "subject_zh": "【中斷】{{ check.name }}",
        "subject_en": "[Down] {{ check.name }}",
        "body_zh": "中斷：{{ incident.cause }} {{ ack_url }}",
        "body_en": "Down: {{ incident.cause }} {{ ack_url }}",
        "sms_zh": "中斷 {{ check.name }}",
        "sms_en": "Down {{ check.name }}",
    }
    response = logged_in.post("/monitoring/alert-texts/down/", data)
    assert response.status_code == 302
    stored = AlertTemplate.objects.get(code="down")
    assert (stored.subject_zh, stored.sms_en) == (
        "【中斷】{{ check.name }}",
        "Down {{ check.name }}",
    )
    assert logged_in.get("/monitoring/alert-texts/nope/").status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{% if %}", b"The template has an error"),
        ("{% include '/etc/passwd' %}", b"cannot be used in an alert text"),
        ("{% load static %}", b"cannot be used in an alert text"),
    ],
)
def test_a_broken_alert_text_is_refused(logged_in, text, message):
    data = dict.fromkeys(
        ("subject_zh", "subject_en", "body_zh", "body_en", "sms_zh", "sms_en"), "ok"
    )
    data["body_en"] = text
    response = logged_in.post("/monitoring/alert-texts/down/", data)
    assert response.status_code == 400
    assert message in response.content and b'id="id_body_en_error"' in response.content
    assert not AlertTemplate.objects.exists()


def window_data(group, **fields) -> dict:
    data = {
        "title": "Monthly patching",
        "starts_date": "2026-03-05",
        "starts_time": "22:00",
        "ends_date": "2026-03-06",
        "ends_time": "01:00",
        "repeat": "weekly",
        "repeat_until": "2026-06-30",
        "groups": [group.pk],
    }
    data.update(fields)
    return data


@freeze_time("2026-03-01 00:00:00")
def test_a_manager_plans_a_weekly_window(logged_in, group, make_check):
    check = make_check(name="Payroll", url="https://p.tw/")
    data = window_data(group, form_token=TOKEN)
    response = logged_in.post("/monitoring/maintenance/new/", data)
    assert response.status_code == 302, response.content
    assert logged_in.post("/monitoring/maintenance/new/", data).status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.starts_at == datetime(2026, 3, 5, 22, tzinfo=TAIPEI)
    assert list(window.groups.all()) == [group]
    # The second week's occurrence covers the group's check.
    assert in_maintenance(check, datetime(2026, 3, 12, 23, 30, tzinfo=TAIPEI))
    listing = logged_in.get("/monitoring/maintenance/")
    assert b"Monthly patching" in listing.content
    edit = logged_in.post(
        f"/monitoring/maintenance/{window.pk}/",
        window_data(group, title="Patching", groups=[], checks=[check.pk]),
    )
    assert edit.status_code == 302
    window.refresh_from_db()
    assert window.title == "Patching" and list(window.checks.all()) == [check]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_date": "2026-03-05", "ends_time": "21:00"}, "ends_time"),
        ({"groups": [], "checks": []}, "checks"),
        ({"groups": ["999999"]}, "groups"),
        ({"starts_date": "yesterday"}, "starts_date"),
        ({"repeat": "hourly"}, "repeat"),
        ({"title": ""}, "title"),
    ],
)
def test_an_invalid_window_is_a_400_naming_the_field(logged_in, group, fields, field):
    response = logged_in.post("/monitoring/maintenance/new/", window_data(group, **fields))
    assert response.status_code == 400
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not MaintenanceWindow.objects.exists()


def test_a_huge_number_of_step_rows_is_refused(logged_in, owner):
    data = rule_data(*[step(i, users=[owner.pk]) for i in range(25)])
    data["steps-TOTAL_FORMS"] = "100000"
    response = logged_in.post("/monitoring/rules/new/", data)
    assert response.status_code == 400
    assert b"Please submit at most 20 forms." in response.content
    assert not ContactRule.objects.exists()
