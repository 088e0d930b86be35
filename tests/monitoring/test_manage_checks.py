"""Creating, changing and deleting checks through the pages: the operator of the IM unit's
group (the owner), the colleague (same unit, no role), the outsider (another unit), another
group's operator; invalid input, another group's ids, cycles, double submits, hostile names."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLogEntry
from monitoring.choices import CheckKind
from monitoring.models import ApplicationGroup, Check, ContactRule
from monitoring.services.checks import check_create, check_update
from tests.accounts.factories import unit
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

from .conftest import grant

pytestmark = pytest.mark.django_db

NEW = "/monitoring/checks/new/"
TOKEN = "t0k3n-abcdefghijklmnop"


@pytest.fixture
def other_group(db):
    return ApplicationGroup.objects.create(
        code="wda", name_zh="就業通", name_en="Taiwan Jobs", unit=unit("BLI")
    )


@pytest.fixture
def other_check(other_group):
    return check_create(
        actor=None, group=other_group, name="Jobs web", kind=CheckKind.HTTP, url="https://x.tw/"
    )


@pytest.fixture
def logged_in(client, operator):
    client.force_login(operator)
    return english(client)


def check_audit(check):
    kind = ContentType.objects.get_for_model(Check)
    return AuditLogEntry.objects.filter(content_type=kind, object_id=str(check.pk))


def form_data(group, **fields):
    data = {
        "name": "Payroll web",
        "kind": "http",
        "group": group.pk,
        "url": "https://payroll.example.gov.tw/health",
        "method": "GET",
        "expected_status": "200-299",
        "keyword": "ok",
        "json_path": "",
        "json_value": "",
        "max_response_ms": "2000",
        "verify_tls": "on",
        "tls_warning_days": "21",
        "host": "",
        "port": "",
        "dns_expected": "",
        "period_seconds": "86400",
        "grace_seconds": "3600",
        "cron": "",
        "time_zone": "Asia/Taipei",
        "expected_pings": "1",
        "interval_seconds": "120",
        "timeout_seconds": "5",
        "retries": "1",
        "failure_threshold": "3",
        "success_threshold": "1",
    }
    data.update(fields)
    return data


def test_the_dashboard_offers_new_check_to_an_operator(logged_in, group):
    page = logged_in.get("/monitoring/")
    assert b'href="/monitoring/checks/new/"' in page.content
    assert logged_in.get(NEW).status_code == 200


def test_a_new_http_check_keeps_its_own_fields(logged_in, group):
    response = logged_in.post(NEW, form_data(group))
    check = Check.objects.get(name="Payroll web")
    assert response.status_code == 302 and response["Location"] == f"/monitoring/checks/{check.pk}/"
    assert (check.group, check.kind, check.url) == (group, "http", form_data(group)["url"])
    assert (check.expected_status, check.keyword, check.max_response_ms) == ("200-299", "ok", 2000)
    assert (check.tls_warning_days, check.interval_seconds, check.failure_threshold) == (21, 120, 3)
    assert check.next_run_at is not None
    entry = check_audit(check).get(action="create")
    assert entry.changes["url"][1] == check.url


def test_a_tcp_check_ignores_the_http_fields(logged_in, group):
    logged_in.post(
        NEW, form_data(group, kind="tcp", name="db", url="", host="10.0.0.5", port="5432")
    )
    check = Check.objects.get(name="db")
    assert (check.kind, check.host, check.port, check.url) == ("tcp", "10.0.0.5", 5432, "")


def test_a_dns_check_with_an_expected_address(logged_in, group):
    logged_in.post(
        NEW, form_data(group, kind="dns", name="dns", host="www.mol.gov.tw", dns_expected="1.2.3.4")
    )
    check = Check.objects.get(name="dns")
    assert (check.kind, check.host, check.dns_expected) == ("dns", "www.mol.gov.tw", "1.2.3.4")


def test_a_new_heartbeat_shows_its_ping_url(logged_in, group):
    response = logged_in.post(
        NEW,
        form_data(
            group, kind="heartbeat", name="nightly backup", cron="0 2 * * *", expected_pings="2"
        ),
        follow=True,
    )
    check = Check.objects.get(name="nightly backup")
    assert (check.cron, check.time_zone, check.expected_pings) == ("0 2 * * *", "Asia/Taipei", 2)
    assert check.next_run_at is None  # a heartbeat waits for pings, it is never probed
    assert f"http://testserver/ping/{check.uuid}".encode() in response.content


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": ""}, "url", b"An HTTP check needs a URL."),
        ({"url": "javascript:alert(1)"}, "url", b"Enter a valid URL."),
        ({"kind": "tcp", "host": "db.local", "port": "70000"}, "port", b"less than or equal"),
        ({"kind": "tcp", "host": "", "port": "5432"}, "host", b"needs a host and a port"),
        ({"kind": "dns", "host": "http://x/ y"}, "host", b"without a scheme"),
        ({"kind": "heartbeat", "cron": "every night"}, "cron", b"cron expression of five"),
        ({"expected_status": "2xx"}, "expected_status", b"status codes and ranges"),
        ({"json_path": "status; drop"}, "json_path", b"$.status"),
        ({"interval_seconds": "abc"}, "interval_seconds", b"Enter a whole number."),
        ({"timeout_seconds": "50", "interval_seconds": "20"}, "timeout_seconds", b"shorter than"),
        ({"timeout_seconds": "200"}, "timeout_seconds", b"less than or equal to 60"),
        ({"name": "x" * 5000}, "name", b"at most 200 characters"),
        ({"kind": "portal"}, "kind", b"Select a valid choice."),
    ],
)
def test_invalid_input_is_a_400_naming_the_field_and_saves_nothing(
    logged_in, group, fields, field, message
):
    response = logged_in.post(NEW, form_data(group, **fields))
    assert response.status_code == 400
    assert message in response.content
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not Check.objects.exists()


def test_another_groups_objects_are_refused(logged_in, group, other_group, other_check):
    foreign_rule = ContactRule.objects.create(name="BLI rule")
    other_group.contact_rules.add(foreign_rule)
    for fields, field in (
        ({"group": other_group.pk}, "group"),
        ({"depends_on": [other_check.pk]}, "depends_on"),
        ({"contact_rules": [foreign_rule.pk]}, "contact_rules"),
        ({"group": "not-a-number"}, "group"),
    ):
        data = form_data(group)
        data.update(fields)
        response = logged_in.post(NEW, data)
        assert response.status_code == 400, fields
        assert f'id="id_{field}_error"'.encode() in response.content
    assert list(Check.objects.all()) == [other_check]


def test_the_groups_own_rules_and_checks_may_be_attached(logged_in, group, rule, make_check):
    parent = make_check(name="db port", kind=CheckKind.TCP, host="127.0.0.1", port=5432)
    logged_in.post(NEW, form_data(group, depends_on=[parent.pk], contact_rules=[rule.pk]))
    check = Check.objects.get(name="Payroll web")
    assert list(check.depends_on.all()) == [parent]
    assert list(check.contact_rules.all()) == [rule]


def test_a_check_cannot_depend_on_itself_or_a_descendant(logged_in, group, make_check):
    parent = make_check(name="parent", url="https://a.tw/")
    child = make_check(name="child", url="https://b.tw/")
    grandchild = make_check(name="grandchild", url="https://c.tw/")
    child.depends_on.add(parent)
    grandchild.depends_on.add(child)
    for bad in (parent, grandchild):
        response = logged_in.post(
            f"/monitoring/checks/{parent.pk}/edit/",
            form_data(group, name="parent", url="https://a.tw/", depends_on=[bad.pk]),
        )
        assert response.status_code == 400
        assert b'id="id_depends_on_error"' in response.content
    assert not parent.depends_on.exists()
    # The service refuses it too, whoever calls (the API, a task).
    with pytest.raises(ValidationError) as refused:
        check_update(actor=None, check=parent, depends_on=[grandchild])
    assert "depends_on" in refused.value.message_dict


def test_a_double_submit_makes_one_check(logged_in, group):
    data = form_data(group, form_token=TOKEN)
    first = logged_in.post(NEW, data)
    second = logged_in.post(NEW, data)
    assert Check.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_names_with_markup_and_bidi_controls_are_stored_safely_and_escaped(logged_in, group):
    name = "<script>alert(1)</script>\u202egnp.exe"
    logged_in.post(NEW, form_data(group, name=name))
    check = Check.objects.get()
    assert "\u202e" not in check.name and "<script>" in check.name
    for url in (
        "/monitoring/",
        f"/monitoring/checks/{check.pk}/",
        f"/monitoring/checks/{check.pk}/edit/",
    ):
        content = logged_in.get(url).content
        assert b"<script>alert(1)" not in content
        assert b"&lt;script&gt;alert(1)" in content


def test_editing_changes_the_check_and_is_audited(logged_in, group, make_check):
    check = make_check(name="Old", url="https://old.tw/")
    page = logged_in.get(f"/monitoring/checks/{check.pk}/")
    assert f'href="/monitoring/checks/{check.pk}/edit/"'.encode() in page.content
    form = logged_in.get(f"/monitoring/checks/{check.pk}/edit/")
    assert b'value="https://old.tw/"' in form.content
    response = logged_in.post(
        f"/monitoring/checks/{check.pk}/edit/", form_data(group, name="New", url="https://new.tw/")
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.name, check.url, check.failure_threshold) == ("New", "https://new.tw/", 3)
    entry = check_audit(check).get(action="update")
    assert entry.changes["url"] == ["https://old.tw/", "https://new.tw/"]


def test_deleting_asks_first_then_removes_the_check(logged_in, make_check):
    check = make_check(name="Gone", url="https://gone.tw/")
    assert logged_in.get(f"/monitoring/checks/{check.pk}/delete/").status_code == 200
    assert Check.objects.filter(pk=check.pk).exists()
    response = logged_in.post(f"/monitoring/checks/{check.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/monitoring/"
    assert not Check.objects.filter(pk=check.pk).exists()
    assert check_audit(check).filter(action="delete").exists()
    assert logged_in.post(f"/monitoring/checks/{check.pk}/delete/").status_code == 404


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_people_without_the_role_may_not_create_edit_or_delete(client, request, who, make_check):
    check = make_check(name="Kept", url="https://kept.tw/")
    client.force_login(request.getfixturevalue(who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(check.group)).status_code == 403
    for action in ("edit", "delete"):
        assert client.get(f"/monitoring/checks/{check.pk}/{action}/").status_code == 403
        assert client.post(f"/monitoring/checks/{check.pk}/{action}/").status_code == 403
    assert list(Check.objects.values_list("name", flat=True)) == ["Kept"]


def test_another_groups_operator_gets_404_for_the_check(client, outsider, make_check, other_group):
    grant(outsider, "monitoring.operator", scope=unit("BLI"))
    check = make_check(name="IM only", url="https://im.tw/")
    client.force_login(outsider)
    assert client.get(NEW).status_code == 200  # their own group
    for action in ("edit", "delete"):
        assert client.post(f"/monitoring/checks/{check.pk}/{action}/").status_code == 404
    assert Check.objects.filter(pk=check.pk).exists()


def test_an_operator_sees_no_edit_link_on_a_check_of_a_unitless_group(client, operator, db):
    portal = ApplicationGroup.objects.create(code="self", name_zh="本身", name_en="Self")
    check = check_create(
        actor=None, group=portal, name="healthz", kind=CheckKind.HTTP, url="https://x.tw/"
    )
    grant(operator, "monitoring.operator")  # everywhere: sees the unit-less group too
    client.force_login(operator)
    page = client.get(f"/monitoring/checks/{check.pk}/")
    assert page.status_code == 200
    assert f"/monitoring/checks/{check.pk}/edit/".encode() not in page.content
    assert client.get(f"/monitoring/checks/{check.pk}/edit/").status_code == 403


def test_a_manager_scoped_to_a_unit_manages_only_that_units_groups(
    make_user, group, other_group, other_check
):
    scoped = make_user(username="scoped-manager")
    grant(scoped, "monitoring.manager", scope=unit("IM"))
    made = check_create(
        actor=scoped, group=group, name="IM web", kind=CheckKind.HTTP, url="https://im.tw/"
    )
    assert made.group == group
    with pytest.raises(PermissionDenied):
        check_create(
            actor=scoped, group=other_group, name="x", kind=CheckKind.HTTP, url="https://x.tw/"
        )
    with pytest.raises(PermissionDenied):
        check_update(actor=scoped, check=other_check, name="taken")


def test_the_admin_refuses_a_dependency_cycle(client, make_user, make_check):
    root = make_user(username="root-admin", is_superuser=True, is_staff=True)
    parent = make_check(name="parent", url="https://a.tw/")
    child = make_check(name="child", url="https://b.tw/")
    child.depends_on.add(parent)
    force_login_verified(client, root)
    page = client.get(f"/admin/monitoring/check/{parent.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(depends_on=[child.pk], contact_rules=[], headers="{}")
    response = client.post(f"/admin/monitoring/check/{parent.pk}/change/", data)
    assert response.status_code == 200
    assert "depends_on" in response.context["adminform"].form.errors
    assert not parent.depends_on.exists()
