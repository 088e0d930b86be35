"""Heartbeats: pings by GET and POST without a login, start/success/fail, late then down by
period or by a cron schedule in the check's time zone, several pings per period."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test.client import RequestFactory
from freezegun import freeze_time

from monitoring.choices import CheckKind, CheckState
from monitoring.models import Incident, Ping
from monitoring.schedules import cron_next
from monitoring.services.heartbeats import heartbeats_sweep
from monitoring.wsgi_ping import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat(make_check):
    return make_check(
        name="nightly backup", kind=CheckKind.HEARTBEAT, period_seconds=3600, grace_seconds=600
    )


def test_get_and_post_pings_need_no_login(client, beat):
    assert client.get(f"/ping/{beat.uuid}").content == b"OK"
    response = client.post(f"/ping/{beat.uuid}", data=b"12 files", content_type="text/plain")
    assert response.status_code == 200
    beat.refresh_from_db()
    assert beat.state == CheckState.UP
    assert Ping.objects.filter(check_ref=beat).count() == 2
    assert Ping.objects.filter(body="12 files").exists()


def test_an_unknown_key_is_a_404(client):
    assert client.get("/ping/00000000-0000-0000-0000-000000000001").status_code == 404


def test_start_then_success_records_the_run_time(client, beat):
    with freeze_time("2026-03-04 01:00:00+00:00") as frozen:
        client.get(f"/ping/{beat.uuid}/start")
        frozen.tick(timedelta(seconds=42))
        client.get(f"/ping/{beat.uuid}")
    assert Ping.objects.get(check_ref=beat, kind="success").duration_ms == 42_000


def test_fail_makes_it_down_at_once(client, beat):
    client.get(f"/ping/{beat.uuid}")
    client.post(f"/ping/{beat.uuid}/fail", data=b"disk full", content_type="text/plain")
    beat.refresh_from_db()
    assert beat.state == CheckState.DOWN
    assert Incident.objects.filter(check_ref=beat, state="open").exists()


def test_silence_makes_it_late_then_down(client, beat):
    with freeze_time("2026-03-04 01:00:00+00:00") as frozen:
        client.get(f"/ping/{beat.uuid}")
        frozen.tick(timedelta(minutes=59))
        heartbeats_sweep()
        beat.refresh_from_db()
        assert beat.state == CheckState.UP
        frozen.tick(timedelta(minutes=2))
        heartbeats_sweep()
        beat.refresh_from_db()
        assert beat.state == CheckState.LATE
        assert not Incident.objects.filter(check_ref=beat).exists()
        frozen.tick(timedelta(minutes=10))
        heartbeats_sweep()
        beat.refresh_from_db()
        assert beat.state == CheckState.DOWN
        assert Incident.objects.filter(check_ref=beat).exists()


def test_cron_in_taipei_is_due_at_its_local_time():
    after = datetime(2026, 3, 4, 19, 0, tzinfo=UTC)  # 03:00 in Taipei
    nxt = cron_next("0 2 * * *", "Asia/Taipei", after)
    assert nxt.astimezone(UTC).isoformat() == "2026-03-05T18:00:00+00:00"


def test_cron_follows_summer_time_in_berlin():
    winter = cron_next("0 2 * * *", "Europe/Berlin", datetime(2026, 3, 1, tzinfo=UTC))
    summer = cron_next("0 3 * * *", "Europe/Berlin", datetime(2026, 6, 1, tzinfo=UTC))
    assert winter.astimezone(UTC).hour == 1
    assert summer.astimezone(UTC).hour == 1


def test_a_cron_heartbeat_is_late_after_its_next_run(client, make_check):
    check = make_check(
        name="daily report",
        kind=CheckKind.HEARTBEAT,
        cron="0 2 * * *",
        time_zone="Asia/Taipei",
        grace_seconds=1800,
    )
    with freeze_time("2026-03-03 18:00:30+00:00") as frozen:  # 02:00:30 in Taipei
        client.get(f"/ping/{check.uuid}")
        frozen.move_to("2026-03-04 17:59:00+00:00")  # 01:59 the next night
        heartbeats_sweep()
        check.refresh_from_db()
        assert check.state == CheckState.UP
        frozen.move_to("2026-03-04 18:10:00+00:00")
        heartbeats_sweep()
        check.refresh_from_db()
        assert check.state == CheckState.LATE
        frozen.move_to("2026-03-04 18:31:00+00:00")
        heartbeats_sweep()
        check.refresh_from_db()
        assert check.state == CheckState.DOWN


def test_a_check_expecting_three_pings_is_late_with_two(client, make_check):
    check = make_check(
        name="three servers",
        kind=CheckKind.HEARTBEAT,
        period_seconds=3600,
        grace_seconds=600,
        expected_pings=3,
    )
    with freeze_time("2026-03-04 01:00:00+00:00") as frozen:
        for _ in range(3):
            client.get(f"/ping/{check.uuid}")
        frozen.tick(timedelta(minutes=30))
        client.get(f"/ping/{check.uuid}")
        client.get(f"/ping/{check.uuid}")
        frozen.tick(timedelta(minutes=35))  # the third of the last hour is missing
        heartbeats_sweep()
        check.refresh_from_db()
        assert check.state == CheckState.LATE


def test_an_invalid_cron_is_refused(make_check):
    with pytest.raises(ValidationError):
        make_check(kind=CheckKind.HEARTBEAT, cron="61 * * * *")


def test_the_lean_ping_application_answers_like_the_portal(beat, monkeypatch):
    # The test's own transaction holds the connection: the per-request closing is gunicorn's.
    monkeypatch.setattr("monitoring.wsgi_ping.close_old_connections", lambda: None)

    def call(path, method="GET"):
        environ = RequestFactory().generic(method, path).environ
        seen = {}
        body = b"".join(application(environ, lambda status, headers: seen.update(s=status)))
        return seen["s"], body

    assert call(f"/ping/{beat.uuid}") == ("200 OK", b"OK")
    assert call(f"/ping/{beat.uuid}/fail", "POST")[0] == "200 OK"
    assert call("/ping/00000000-0000-0000-0000-000000000001")[0].startswith("404")
    assert call("/admin/")[0].startswith("404")
    beat.refresh_from_db()
    assert beat.state == CheckState.DOWN
