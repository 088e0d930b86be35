"""The runner against real local servers: detection within the thresholds, conditions,
certificates, TCP, and one claim per check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from monitoring.choices import CheckKind, CheckState, IncidentState
from monitoring.models import Check, CheckResult, Incident
from monitoring.services import runner
from monitoring.services.checks import check_pause

from .servers import TargetServer, make_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The results' messages are written in the active language: English here, whatever an
    earlier test left active (the portal's default is zh-Hant)."""
    with translation.override("en"):
        yield


def run(check):
    Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
    report = runner.run_due()
    check.refresh_from_db()
    return report


def test_a_healthy_target_is_up(make_check, target):
    check = make_check(url=target.url, failure_threshold=2)
    run(check)
    assert check.state == CheckState.UP
    assert check.last_ok is True
    assert CheckResult.objects.filter(check_ref=check, ok=True).count() == 1


def test_a_failing_target_is_down_after_the_threshold_and_opens_an_incident(make_check, target):
    check = make_check(url=target.url, failure_threshold=3)
    run(check)
    target.mode = "fail"
    run(check)
    run(check)
    assert check.state == CheckState.UP  # two failures: not yet
    assert not Incident.objects.filter(check_ref=check).exists()
    run(check)
    assert check.state == CheckState.DOWN
    incident = Incident.objects.get(check_ref=check)
    assert incident.state == IncidentState.OPEN
    assert "500" in incident.cause


def test_recovery_resolves_the_incident_with_its_duration(make_check, target):
    check = make_check(url=target.url, failure_threshold=1)
    target.mode = "fail"
    run(check)
    target.mode = "ok"
    run(check)
    incident = Incident.objects.get(check_ref=check)
    assert check.state == CheckState.UP
    assert incident.state == IncidentState.RESOLVED
    assert incident.resolved_at >= incident.opened_at


def test_a_slow_target_times_out_without_delaying_the_others(make_check, target):
    slow = make_check(name="slow", url=target.url, timeout_seconds=0.5, failure_threshold=1)
    fast_server_checks = [
        make_check(name=f"tcp{i}", kind=CheckKind.TCP, host="127.0.0.1", port=target.port)
        for i in range(5)
    ]
    target.mode = "slow"
    target.delay = 1.5
    started = timezone.now()
    report = runner.run_due()
    elapsed = (timezone.now() - started).total_seconds()
    assert report.claimed == 6
    assert elapsed < 1.5  # in parallel: bounded by the slow check's timeout, not the sum
    slow.refresh_from_db()
    assert slow.state == CheckState.DOWN
    assert "Timed out" in slow.last_message
    assert all(Check.objects.get(pk=c.pk).state == CheckState.UP for c in fast_server_checks)


def test_a_response_time_limit_fails_a_slow_answer(make_check, target):
    check = make_check(url=target.url, max_response_ms=100, timeout_seconds=3)
    target.mode = "slow"
    target.delay = 0.3
    run(check)
    assert check.last_ok is False
    assert "Slow" in check.last_message


def test_keyword_and_json_path_conditions(make_check, target):
    target.mode = "json"
    good = make_check(name="json", url=target.url, json_path="$.db.ok", json_value="true")
    bad = make_check(name="kw", url=target.url, keyword="missing-word")
    runner.run_due()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.last_ok is True
    assert bad.last_ok is False
    assert "missing-word" in bad.last_message


def test_an_expired_certificate_fails_the_check(make_check, expired_target):
    check = make_check(url=expired_target.url, failure_threshold=1, verify_tls=False)
    run(check)
    assert check.state == CheckState.DOWN
    assert "expired" in check.last_message


def test_a_self_signed_certificate_fails_when_verified(make_check, tls_target):
    check = make_check(url=tls_target.url, failure_threshold=1)
    run(check)
    assert check.last_ok is False
    assert "self" in check.last_message.lower()


def test_an_unverified_certificate_near_expiry_warns(make_check, tmp_path):
    server = TargetServer(tls=make_certificate(tmp_path, days=5))
    try:
        check = make_check(url=server.url, verify_tls=False, tls_warning_days=14)
        run(check)
    finally:
        server.stop()
    assert check.last_ok is False
    assert check.tls_expires_at is not None
    assert "expires in" in check.last_message


def test_a_tcp_port_that_closes_goes_down(make_check, tcp_port):
    check = make_check(
        kind=CheckKind.TCP, host="127.0.0.1", port=tcp_port.port, failure_threshold=1
    )
    run(check)
    assert check.state == CheckState.UP
    tcp_port.close()
    run(check)
    assert check.state == CheckState.DOWN


def test_dns_resolution_of_localhost(make_check):
    check = make_check(kind=CheckKind.DNS, host="localhost", dns_expected="127.0.0.1")
    run(check)
    assert check.last_ok is True


def test_a_claimed_check_is_not_claimed_again(make_check, target):
    check = make_check(url=target.url)
    now = timezone.now()
    token, first = runner.checks_claim(now=now)
    _token, second = runner.checks_claim(now=now)
    assert [c.pk for c in first] == [check.pk]
    assert second == []


def test_retries_hide_a_single_failure(make_check, target):
    check = make_check(url=target.url, retries=1, failure_threshold=1)
    target.mode = "fail"
    run(check)
    assert target.hits == 2
    assert check.state == CheckState.DOWN


def test_a_paused_check_is_not_run(make_check, target):
    check = make_check(url=target.url)
    check_pause(actor=None, check=check)
    assert runner.run_due().claimed == 0
    check.refresh_from_db()
    assert check.state == CheckState.PAUSED


def _check_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "monitoring_check" in q["sql"]
    ]


def test_recording_a_batch_releases_every_claim_in_one_update(make_check, target):
    checks = [make_check(name=f"T{i}", url=target.url, interval_seconds=60 + i) for i in range(5)]
    Check.objects.update(state=CheckState.UP, next_run_at=timezone.now())
    target.mode = "ok"
    now = timezone.now()
    token, claimed = runner.checks_claim(now=now)
    assert len(claimed) == 5
    outcomes = runner.checks_probe(claimed)
    with CaptureQueriesContext(connection) as queries:
        report = runner.results_record(token=token, checks=claimed, outcomes=outcomes, now=now)
    assert report.ok == 5 and report.changed == 0
    assert len(_check_writes(queries)) == 1
    for check in checks:
        check.refresh_from_db()
        assert (check.claim_token, check.claimed_until, check.last_ok) == (None, None, True)
        assert check.successes == 1 and check.last_checked_at == now
        assert (check.next_run_at - now).total_seconds() == check.interval_seconds


def test_a_check_paused_while_it_ran_is_not_written(make_check, target):
    running, paused = make_check(name="A", url=target.url), make_check(name="B", url=target.url)
    token, claimed = runner.checks_claim(now=timezone.now())
    outcomes = runner.checks_probe(claimed)
    check_pause(actor=None, check=paused)
    report = runner.results_record(
        token=token, checks=claimed, outcomes=outcomes, now=timezone.now()
    )
    running.refresh_from_db()
    paused.refresh_from_db()
    assert report.changed == 1  # the running one: new -> up
    assert running.state == CheckState.UP and running.claim_token is None
    assert paused.state == CheckState.PAUSED and paused.last_checked_at is None


def test_claiming_takes_the_same_queries_for_one_check_or_many(
    make_check, target, django_assert_max_num_queries
):
    make_check(name="first", url=target.url)
    with django_assert_max_num_queries(3):
        runner.checks_claim(now=timezone.now())
    Check.objects.update(claimed_until=None, claim_token=None)
    for i in range(20):
        make_check(name=f"more {i}", url=target.url)
    with django_assert_max_num_queries(3):
        _token, claimed = runner.checks_claim(now=timezone.now())
    assert len(claimed) == 21
