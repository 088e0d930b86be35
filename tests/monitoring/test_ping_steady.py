"""The common ping in one statement: a success ping of an up check expecting one ping per
period is written by a single SQL statement on PostgreSQL (the ping row and the check's
counters), with no health-check query before it; everything else takes the full path. A dead
database connection answers 503 and the next ping works on a fresh one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring import wsgi_ping
from monitoring.choices import CheckKind, CheckState, PingKind
from monitoring.models import Check, Ping
from monitoring.services.heartbeats import ping_record_steady

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def beat(make_check):
    check = make_check(
        name="nightly export", kind=CheckKind.HEARTBEAT, period_seconds=3600, grace_seconds=600
    )
    Check.objects.filter(pk=check.pk).update(state=CheckState.UP)
    check.refresh_from_db()
    return check


def call(path, method="GET", body=b""):
    environ = RequestFactory().generic(method, path, data=body, content_type="text/plain").environ
    environ["REMOTE_ADDR"] = "192.0.2.7"
    seen = {}
    content = b"".join(wsgi_ping.application(environ, lambda s, h: seen.update(status=s)))
    return seen["status"], content


def test_a_steady_ping_is_one_statement(beat):
    call(f"/ping/{beat.uuid}")  # warm: the connection is open, as in a serving worker
    with CaptureQueriesContext(connection) as queries:
        assert call(f"/ping/{beat.uuid}", "POST", b"12 files") == ("200 OK", b"OK")
    assert len(queries) == 1, [q["sql"] for q in queries]
    ping = Ping.objects.filter(check_ref=beat).latest("at")
    assert (ping.kind, ping.body, ping.remote_addr) == (PingKind.SUCCESS, "12 files", "192.0.2.7")
    before = beat.pings_in_period
    beat.refresh_from_db()
    assert beat.pings_in_period == before + 2 and beat.last_ping_at == ping.at
    assert beat.state == CheckState.UP and beat.last_ok is True and beat.last_message == ""


def test_the_run_time_is_measured_from_the_start_signal(beat):
    started = timezone.now() - timedelta(seconds=90)
    Check.objects.filter(pk=beat.pk).update(last_start_at=started, last_ping_at=None)
    now = started + timedelta(seconds=90)
    assert ping_record_steady(key=beat.uuid, now=now)
    assert Ping.objects.get(check_ref=beat).duration_ms == 90_000
    assert ping_record_steady(key=beat.uuid, now=now + timedelta(seconds=5))
    assert Ping.objects.filter(check_ref=beat).latest("at").duration_ms is None  # no new start


@pytest.mark.parametrize(
    "change",
    [
        {"state": CheckState.LATE},
        {"state": CheckState.DOWN},
        {"state": CheckState.NEW},
        {"enabled": False},
        {"expected_pings": 3},
        {"kind": CheckKind.HTTP},
    ],
)
def test_anything_else_takes_the_full_path(beat, change):
    Check.objects.filter(pk=beat.pk).update(**change)
    assert not ping_record_steady(key=beat.uuid)
    assert not Ping.objects.exists()


def test_a_late_check_pinged_goes_up_through_the_full_path(beat):
    Check.objects.filter(pk=beat.pk).update(state=CheckState.LATE)
    assert call(f"/ping/{beat.uuid}") == ("200 OK", b"OK")
    beat.refresh_from_db()
    assert beat.state == CheckState.UP and Ping.objects.filter(check_ref=beat).count() == 1


def test_unknown_keys_and_open_transactions_are_not_steady(beat):
    assert not ping_record_steady(key="00000000-0000-0000-0000-000000000001")
    with transaction.atomic():  # a caller's transaction: the full path keeps its rules
        assert not ping_record_steady(key=beat.uuid)
    assert call("/ping/00000000-0000-0000-0000-000000000001")[0].startswith("404")


def test_a_dead_connection_answers_503_and_the_next_ping_works(beat):
    call(f"/ping/{beat.uuid}")
    connection.connection.close()  # the server went away behind Django's back
    status, content = call(f"/ping/{beat.uuid}")
    assert status.startswith("503") and b"try again" in content
    assert call(f"/ping/{beat.uuid}") == ("200 OK", b"OK")
    assert Ping.objects.filter(check_ref=beat).count() == 2
