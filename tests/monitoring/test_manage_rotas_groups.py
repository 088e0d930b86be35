"""On-call rotas and application groups through the pages, and the delete pages of contact
rules and maintenance windows: managers only; invalid input answers 400 with the field named
and nothing saved; ids the page did not offer are refused; double submits make one; changes
are audited."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from freezegun import freeze_time

from core.models import AuditLogEntry, Organization
from monitoring.models import ApplicationGroup, ContactRule, MaintenanceWindow, OnCallShift
from tests.accounts.factories import unit
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

from .conftest import grant

pytestmark = pytest.mark.django_db

TOKEN = "t0k3n-abcdefghijklmnop"
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def logged_in(client, manager):
    force_login_verified(client, manager)
    return english(client)


def audit_of(model, pk):
    kind = ContentType.objects.get_for_model(model)
    return AuditLogEntry.objects.filter(content_type=kind, object_id=str(pk))


def shift_data(person, **fields) -> dict:
    data = {
        "rota": "network-night",
        "user": person.pk,
        "starts_date": "2026-03-05",
        "starts_time": "18:00",
        "ends_date": "2026-03-06",
        "ends_time": "08:00",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def group_data(**fields) -> dict:
    data = {
        "code": "payroll",
        "name_zh": "薪資系統",
        "name_en": "Payroll",
        "unit": unit("IM").pk,
        "order": "20",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def shift(owner):
    return OnCallShift.objects.create(
        rota="db-night",
        user=owner,
        starts_at=datetime(2026, 3, 1, 18, tzinfo=TAIPEI),
        ends_at=datetime(2026, 3, 2, 8, tzinfo=TAIPEI),
    )


@pytest.fixture
def window(group):
    found = MaintenanceWindow.objects.create(
        title="Patching",
        starts_at=datetime(2026, 3, 5, 22, tzinfo=TAIPEI),
        ends_at=datetime(2026, 3, 6, 1, tzinfo=TAIPEI),
    )
    found.groups.add(group)
    return found


# On-call rotas


@freeze_time("2026-03-01 00:00:00")
def test_a_manager_adds_a_shift_once_and_it_is_listed_and_audited(logged_in, owner):
    data = shift_data(owner, form_token=TOKEN)
    response = logged_in.post("/monitoring/rotas/new/", data)
    assert response.status_code == 302, response.content
    assert logged_in.post("/monitoring/rotas/new/", data).status_code == 302  # double submit
    shift = OnCallShift.objects.get()
    assert (shift.rota, shift.user) == ("network-night", owner)
    assert shift.starts_at == datetime(2026, 3, 5, 18, tzinfo=TAIPEI)
    assert shift.ends_at == datetime(2026, 3, 6, 8, tzinfo=TAIPEI)
    assert audit_of(OnCallShift, shift.pk).filter(action="create").count() == 1
    listing = logged_in.get("/monitoring/rotas/")
    assert b"network-night" in listing.content


def test_a_manager_changes_a_shift(logged_in, shift, colleague):
    response = logged_in.post(
        f"/monitoring/rotas/{shift.pk}/", shift_data(colleague, rota="db-night")
    )
    assert response.status_code == 302, response.content
    shift.refresh_from_db()
    assert shift.user == colleague
    assert shift.ends_at == datetime(2026, 3, 6, 8, tzinfo=TAIPEI)
    assert audit_of(OnCallShift, shift.pk).filter(action="update").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_date": "2026-03-05", "ends_time": "17:00"}, "ends_time"),
        ({"rota": "night shift!"}, "rota"),
        ({"rota": ""}, "rota"),
        ({"user": "999999"}, "user"),
        ({"starts_date": "tomorrow"}, "starts_date"),
        ({"ends_time": None}, "ends_time"),
    ],
)
def test_an_invalid_shift_is_a_400_naming_the_field(logged_in, owner, fields, field):
    response = logged_in.post("/monitoring/rotas/new/", shift_data(owner, **fields))
    assert response.status_code == 400
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not OnCallShift.objects.exists()


def test_an_inactive_person_is_not_offered_nor_accepted(logged_in, owner, make_user):
    gone = make_user(username="gone", is_active=False)
    page = logged_in.get("/monitoring/rotas/new/")
    assert f'value="{gone.pk}"'.encode() not in page.content
    response = logged_in.post("/monitoring/rotas/new/", shift_data(gone))
    assert response.status_code == 400
    assert b'id="id_user_error"' in response.content
    assert not OnCallShift.objects.exists()


def test_an_invalid_change_leaves_the_shift_as_it_was(logged_in, shift, colleague):
    response = logged_in.post(
        f"/monitoring/rotas/{shift.pk}/",
        shift_data(colleague, ends_date="2026-03-01", ends_time="08:00"),
    )
    assert response.status_code == 400
    shift.refresh_from_db()
    assert shift.user.username == "owner"
    assert shift.ends_at == datetime(2026, 3, 2, 8, tzinfo=TAIPEI)


def test_deleting_a_shift_asks_first(logged_in, shift):
    page = logged_in.get(f"/monitoring/rotas/{shift.pk}/delete/")
    assert page.status_code == 200 and b"Delete the shift" in page.content
    assert OnCallShift.objects.exists()
    response = logged_in.post(f"/monitoring/rotas/{shift.pk}/delete/")
    assert response.status_code == 302
    assert not OnCallShift.objects.exists()
    assert audit_of(OnCallShift, shift.pk).filter(action="delete").exists()


def test_rota_names_with_markup_are_refused(logged_in, owner):
    response = logged_in.post("/monitoring/rotas/new/", shift_data(owner, rota="<b>x</b>"))
    assert response.status_code == 400
    assert b"<b>x</b>" not in response.content
    assert not OnCallShift.objects.exists()


# Application groups


def test_a_manager_creates_a_group_once_with_its_unit_and_rules(logged_in, rule):
    data = group_data(contact_rules=[rule.pk], public="on", form_token=TOKEN)
    response = logged_in.post("/monitoring/groups/new/", data)
    assert response.status_code == 302, response.content
    assert logged_in.post("/monitoring/groups/new/", data).status_code == 302  # double submit
    made = ApplicationGroup.objects.get(code="payroll")
    assert (made.name_zh, made.name_en, made.unit, made.public, made.order) == (
        "薪資系統",
        "Payroll",
        unit("IM"),
        True,
        20,
    )
    assert list(made.contact_rules.all()) == [rule]
    assert audit_of(ApplicationGroup, made.pk).filter(action="create").count() == 1
    listing = logged_in.get("/monitoring/groups/")
    assert b"Payroll" in listing.content and b"BLI on call" in listing.content


def test_a_manager_changes_a_group_and_its_rules_change_is_audited(logged_in, group, rule):
    response = logged_in.post(
        f"/monitoring/groups/{group.pk}/",
        group_data(code="bli", name_en="BLI apps", unit=None, contact_rules=[]),
    )
    assert response.status_code == 302, response.content
    group.refresh_from_db()
    assert (group.name_en, group.unit, group.public) == ("BLI apps", None, False)
    assert not group.contact_rules.exists()
    entries = audit_of(ApplicationGroup, group.pk).filter(action="update")
    assert any("contact_rules" in e.changes for e in entries)
    assert any("name_en" in e.changes for e in entries)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "bli"}, "code"),  # the group fixture's code
        ({"code": "not a slug"}, "code"),
        ({"name_zh": ""}, "name_zh"),
        ({"unit": "999999"}, "unit"),
        ({"contact_rules": ["999999"]}, "contact_rules"),
        ({"order": "-1"}, "order"),
    ],
)
def test_an_invalid_group_is_a_400_naming_the_field(logged_in, group, fields, field):
    response = logged_in.post("/monitoring/groups/new/", group_data(**fields))
    assert response.status_code == 400
    assert f'id="id_{field}_error"'.encode() in response.content
    assert list(ApplicationGroup.objects.values_list("code", flat=True)) == ["bli"]


def test_an_inactive_unit_is_not_offered_nor_accepted(logged_in):
    closed = Organization.objects.create(
        code="CLOSED", name_zh="裁撤科", parent=unit("IM"), is_active=False
    )
    page = logged_in.get("/monitoring/groups/new/")
    assert f'value="{closed.pk}"'.encode() not in page.content
    response = logged_in.post("/monitoring/groups/new/", group_data(unit=closed.pk))
    assert response.status_code == 400
    assert b'id="id_unit_error"' in response.content
    assert not ApplicationGroup.objects.exists()


def test_group_names_with_markup_are_escaped(logged_in):
    logged_in.post("/monitoring/groups/new/", group_data(name_en="<img src=x onerror=alert(1)>"))
    content = logged_in.get("/monitoring/groups/").content
    assert b"<img src=x" not in content and b"&lt;img src=x" in content


def test_a_group_with_checks_is_not_deleted(logged_in, group, make_check):
    make_check(name="Payroll", url="https://p.tw/")
    assert logged_in.get(f"/monitoring/groups/{group.pk}/delete/").status_code == 200
    response = logged_in.post(f"/monitoring/groups/{group.pk}/delete/")
    assert response.status_code == 400
    assert b"still has checks" in response.content
    assert ApplicationGroup.objects.filter(pk=group.pk).exists()


def test_an_empty_group_is_deleted_after_asking(logged_in, group):
    response = logged_in.post(f"/monitoring/groups/{group.pk}/delete/")
    assert response.status_code == 302
    assert not ApplicationGroup.objects.exists()
    assert audit_of(ApplicationGroup, group.pk).filter(action="delete").exists()


# Contact rules and maintenance windows


def test_deleting_a_contact_rule_asks_first(logged_in, rule, group):
    page = logged_in.get(f"/monitoring/rules/{rule.pk}/delete/")
    assert page.status_code == 200 and b"Delete the rule" in page.content
    response = logged_in.post(f"/monitoring/rules/{rule.pk}/delete/")
    assert response.status_code == 302
    assert not ContactRule.objects.exists()
    assert ApplicationGroup.objects.filter(pk=group.pk).exists()
    assert audit_of(ContactRule, rule.pk).filter(action="delete").exists()


def test_deleting_a_maintenance_window_asks_first(logged_in, window):
    page = logged_in.get(f"/monitoring/maintenance/{window.pk}/delete/")
    assert page.status_code == 200 and b"Delete the window" in page.content
    response = logged_in.post(f"/monitoring/maintenance/{window.pk}/delete/")
    assert response.status_code == 302
    assert not MaintenanceWindow.objects.exists()
    assert audit_of(MaintenanceWindow, window.pk).filter(action="delete").exists()


def test_the_manager_sees_the_new_sub_navigation(logged_in):
    content = logged_in.get("/monitoring/").content
    assert b'href="/monitoring/rotas/"' in content and b'href="/monitoring/groups/"' in content


def test_a_manager_gets_404_for_a_missing_object(logged_in):
    for url in (
        "/monitoring/rotas/999999/",
        "/monitoring/rotas/999999/delete/",
        "/monitoring/groups/999999/",
        "/monitoring/groups/999999/delete/",
        "/monitoring/rules/999999/delete/",
        "/monitoring/maintenance/999999/delete/",
    ):
        assert logged_in.get(url).status_code == 404, url


@pytest.fixture
def unit_manager(make_user):
    """The manager role held in the IM unit only: that unit's checks, not these pages."""
    user = make_user(username="unit-manager")
    grant(user, "monitoring.manager", scope=unit("IM"))
    return user


@pytest.mark.parametrize("who", ["operator", "unit_manager", "colleague", "outsider"])
def test_only_unscoped_managers_reach_rotas_groups_and_deletes(
    client, request, who, shift, group, rule, window, owner
):
    user = request.getfixturevalue(who)
    force_login_verified(client, user)
    for url in (
        "/monitoring/rotas/",
        "/monitoring/rotas/new/",
        f"/monitoring/rotas/{shift.pk}/",
        f"/monitoring/rotas/{shift.pk}/delete/",
        "/monitoring/groups/",
        "/monitoring/groups/new/",
        f"/monitoring/groups/{group.pk}/",
        f"/monitoring/groups/{group.pk}/delete/",
        f"/monitoring/rules/{rule.pk}/delete/",
        f"/monitoring/maintenance/{window.pk}/delete/",
    ):
        assert client.get(url).status_code == 403, url
        posted = client.post(url, {**shift_data(owner), **group_data(), "form_token": TOKEN})
        assert posted.status_code in (403, 405), url
    assert list(OnCallShift.objects.values_list("rota", flat=True)) == ["db-night"]
    assert list(ApplicationGroup.objects.values_list("code", flat=True)) == ["bli"]
    assert ContactRule.objects.count() == 1 and MaintenanceWindow.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_log_in(client, group):
    response = client.get("/monitoring/groups/")
    assert response.status_code == 302 and "login" in response["Location"]
