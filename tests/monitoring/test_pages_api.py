"""Pages, API, export and admin from every entry point, with owner / colleague / outsider:
the owner operates the IM unit's groups, the colleague (same unit, no role) and the outsider
(another unit) see nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from monitoring.choices import CheckKind, CheckState
from monitoring.models import Check, CheckResult, DailyUptime, Incident, MaintenanceWindow
from monitoring.selectors import SPARKLINE_SQL, sparklines
from monitoring.services import state
from monitoring.services.selfwatch import self_sync
from monitoring.signals import beat_task_succeeded
from tests.accounts.factories import unit
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

from .conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def down_check(make_check):
    check = make_check(name="Payroll web", url="http://127.0.0.1:9/")
    check.failures = 5
    state.state_set(check=check, old=check.state, new=CheckState.DOWN, now=timezone.now())
    return check


def test_the_operator_sees_the_dashboard_with_uptime(client, operator, down_check):
    CheckResult.objects.create(check_ref=down_check, ok=True, response_ms=20)
    CheckResult.objects.create(check_ref=down_check, ok=False, response_ms=40)
    client.force_login(operator)
    english(client)
    page = client.get("/monitoring/")
    assert page.status_code == 200
    assert b"Payroll web" in page.content
    assert b"50 %" in page.content


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_people_without_the_role_get_403(client, request, who, down_check):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/monitoring/").status_code == 403
    assert client.get(f"/monitoring/checks/{down_check.pk}/").status_code == 403
    assert client.get("/monitoring/availability.csv").status_code == 403
    assert client.get("/monitoring/availability.pdf").status_code == 403
    assert client.get("/api/v1/monitoring/checks/").status_code == 403


def test_an_operator_of_another_unit_sees_no_check(client, outsider, down_check):

    grant(outsider, "monitoring.operator", scope=unit("BLI"))
    client.force_login(outsider)
    assert client.get(f"/monitoring/checks/{down_check.pk}/").status_code == 404
    assert client.get("/api/v1/monitoring/checks/").json()["results"] == []
    incident = Incident.objects.get(check_ref=down_check)
    assert (
        client.post(f"/api/v1/monitoring/incidents/{incident.pk}/acknowledge/").status_code == 404
    )


def test_acknowledging_on_the_incident_page(client, operator, down_check):
    incident = Incident.objects.get(check_ref=down_check)
    client.force_login(operator)
    english(client)
    assert b"Acknowledge" in client.get(f"/monitoring/incidents/{incident.pk}/").content
    client.post(f"/monitoring/incidents/{incident.pk}/acknowledge/")
    incident.refresh_from_db()
    assert incident.state == "acknowledged"


def test_the_api_creates_a_check_in_the_issue_shape(client, operator, group):
    client.force_login(operator)
    response = client.post(
        "/api/v1/monitoring/checks/",
        {
            "name": "Labour insurance site",
            "kind": "http",
            "url": "https://www.bli.gov.tw/",
            "interval_seconds": 60,
            "failure_threshold": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    check = Check.objects.get(name="Labour insurance site")
    assert check.group == group and check.failure_threshold == 3
    tcp = client.post(
        "/api/v1/monitoring/checks/",
        {"name": "db port", "kind": "tcp", "host": "127.0.0.1", "port": 5432},
        content_type="application/json",
    )
    assert tcp.status_code == 201
    heartbeat = client.post(
        "/api/v1/monitoring/checks/",
        {"name": "backup", "kind": "heartbeat", "cron": "0 2 * * *", "time_zone": "Asia/Taipei"},
        content_type="application/json",
    )
    assert heartbeat.json()["ping_url"].startswith("http://testserver/ping/")


def test_the_api_names_the_missing_field(client, operator, group):
    client.force_login(operator)
    response = client.post(
        "/api/v1/monitoring/checks/", {"name": "x", "kind": "tcp"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "host" in response.json()["error"]["fields"]


def test_the_incident_list_includes_the_check_name(
    client, operator, down_check, django_assert_max_num_queries
):
    client.force_login(operator)
    with django_assert_max_num_queries(12):
        rows = client.get("/api/v1/monitoring/incidents/").json()["results"]
    assert rows[0]["check_name"] == "Payroll web"
    assert rows[0]["state"] == "open"


def test_a_public_status_page_needs_no_login(client, down_check, group):
    english(client)
    page = client.get(f"/monitoring/status/{group.code}/")
    assert page.status_code == 200
    assert b"Payroll web" in page.content and b"Down" in page.content


def test_the_status_page_lists_planned_maintenance_and_incidents(client, down_check, group):
    """A window of the group in the next 30 days is listed, one past 30 days is not; the open
    incident of the group's check is listed with its check's name."""
    now = timezone.now()
    soon = MaintenanceWindow.objects.create(
        title="Database upgrade", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=3)
    )
    soon.groups.set([group])
    later = MaintenanceWindow.objects.create(
        title="Far away move", starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=41)
    )
    later.groups.set([group])
    english(client)
    page = client.get(f"/monitoring/status/{group.code}/").content.decode()
    planned = page.split("Planned maintenance", 1)[1]
    assert "Database upgrade" in planned and "Far away move" not in planned
    assert "Payroll web:" in planned  # the incident list follows the planned windows


def test_a_private_status_page_is_a_404_for_anonymous_visitors(client, down_check, group):
    group.public = False
    group.save()
    assert client.get(f"/monitoring/status/{group.code}/").status_code == 404


def test_metrics_need_the_token(client, settings, down_check):
    settings.MONITORING_METRICS_TOKEN = "s3cret-token"
    assert client.get("/monitoring/metrics").status_code == 401
    response = client.get("/monitoring/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert f'monitoring_check_up{{id="{down_check.pk}",name="Payroll web"' in response.text
    assert "monitoring_incidents_open 1" in response.text


def test_the_availability_csv_sums_the_daily_rollups(client, operator, down_check):
    DailyUptime.objects.create(check_ref=down_check, day="2026-02-03", total=1000, ok=999)
    client.force_login(operator)
    english(client)
    body = client.get("/monitoring/availability.csv?month=2026-02").content.decode()
    assert "Payroll web,1000,999,99.900" in body


def test_the_dashboard_query_count_does_not_grow_with_checks(
    client, operator, make_check, django_assert_max_num_queries
):
    for i in range(30):
        make_check(name=f"c{i}", kind=CheckKind.TCP, host="127.0.0.1", port=9)
    client.force_login(operator)
    with django_assert_max_num_queries(20):
        assert client.get("/monitoring/").status_code == 200


def test_the_portal_watches_itself_and_its_beat_jobs():
    created = self_sync()
    assert created >= 5
    assert Check.objects.filter(slug="portal:database", kind="portal").exists()
    assert Check.objects.filter(slug="beat:monitoring.run_due", kind="heartbeat").exists()
    assert self_sync() == 0


def test_a_finished_beat_task_pings_its_heartbeat(settings):
    self_sync()
    settings.CELERY_TASK_ALWAYS_EAGER = False

    class Task:
        name = "monitoring.rollup"

    beat_task_succeeded(sender=Task())
    check = Check.objects.get(slug="beat:monitoring.rollup")
    assert check.state == CheckState.UP and check.last_ping_at is not None


def test_the_admin_lists_monitoring_models_for_a_superuser_only(
    client, make_user, outsider, down_check
):
    root = make_user(username="root-admin", is_superuser=True, is_staff=True)
    for who, allowed in ((root, True), (outsider, False)):
        force_login_verified(client, who)
        for url in ("/admin/monitoring/check/", "/admin/monitoring/incident/"):
            assert (client.get(url).status_code == 200) is allowed, (who, url)


def test_the_availability_pdf_has_the_figures(client, operator, down_check):
    DailyUptime.objects.create(check_ref=down_check, day="2026-02-03", total=1000, ok=999)
    client.force_login(operator)
    english(client)
    response = client.get("/monitoring/availability.pdf?month=2026-02")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.postgres_only  # reads PostgreSQL's plan (SET LOCAL)
def test_sparklines_read_a_bounded_number_of_rows_per_check(make_check):
    first, second, empty = (make_check(name=n, url="http://127.0.0.1:9/") for n in "abc")
    now = timezone.now()
    CheckResult.objects.bulk_create(
        CheckResult(check_ref=check, at=now - timedelta(minutes=n), ok=True, response_ms=n)
        for check in (first, second)
        for n in range(1, 31)
    )
    lines = sparklines([first.pk, second.pk, empty.pk], points=5)
    # The five newest of each, oldest first; a check without results has no points.
    assert lines == {first.pk: [5, 4, 3, 2, 1], second.pk: [5, 4, 3, 2, 1], empty.pk: []}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + SPARKLINE_SQL, [[first.pk, second.pk], 5])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Each check's rows come from its index through a LIMIT, never a scan of every result.
    assert "Limit" in plan and "monitoring_result_check_at" in plan
    assert "WindowAgg" not in plan
