"""``manage.py monitoring_run --once``, webhooks of a step, and the daily rollup."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from monitoring.choices import CheckState
from monitoring.models import CheckResult, ContactRule, DailyUptime, EscalationStep, WebhookDelivery
from monitoring.services import alerts, rollup, state

pytestmark = pytest.mark.django_db


def test_monitoring_run_once_runs_every_due_check_and_exits(make_check, target):
    checks = [make_check(name=f"c{i}", url=target.url) for i in range(3)]
    out = StringIO()
    call_command("monitoring_run", "--once", stdout=out)
    assert "3" in out.getvalue()
    assert CheckResult.objects.filter(check_ref__in=checks).count() == 3


@pytest.fixture
def hook_server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_a_webhook_step_posts_the_incident_once(make_check, group, hook_server):
    url, received = hook_server
    rule = ContactRule.objects.create(name="hook")
    EscalationStep.objects.create(rule=rule, order=1, email=False, webhook_url=url)
    group.contact_rules.add(rule)
    check = make_check(name="api gateway", url="http://127.0.0.1:9/")
    check.failures = 5
    state.state_set(check=check, old=check.state, new=CheckState.DOWN, now=timezone.now())
    assert alerts.webhooks_send() == 1
    assert alerts.webhooks_send() == 0
    assert [r["event"] for r in received] == ["down"]
    assert received[0]["check"] == "api gateway"
    assert WebhookDelivery.objects.get().sent_at is not None


def test_the_rollup_keeps_daily_uptime_after_the_results_are_purged(settings, make_check):
    settings.MONITORING_RESULT_DAYS = 1
    check = make_check(name="old", url="http://127.0.0.1:9/")
    two_days_ago = timezone.now() - timedelta(days=2)
    CheckResult.objects.bulk_create(
        [CheckResult(check_ref=check, at=two_days_ago, ok=i != 0, response_ms=10) for i in range(4)]
    )
    rollup.rollup()
    rollup.rollup()  # a re-run gives the same figures
    day = DailyUptime.objects.get(check_ref=check)
    assert (day.total, day.ok) == (4, 3)
    rollup.rollup(now=timezone.now() + timedelta(days=3))
    assert not CheckResult.objects.filter(check_ref=check).exists()
    assert DailyUptime.objects.filter(check_ref=check).count() == 1
