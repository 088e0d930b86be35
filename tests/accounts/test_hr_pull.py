"""Pulling the HR feed on a schedule: from a local HTTP server with a bearer token, or a path."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import HRSyncStatus
from accounts.hr.tasks import hr_sync_scheduled
from accounts.models import HRSyncRun, User
from mol_portal.celery import app

pytestmark = pytest.mark.django_db

TOKEN = "hr-feed-token-0123456789"
FEED = (
    "employee_number,name_zh,unit_code,title,status,effective_date\n"
    "P0001,白雪,IM,科員,active,2025-05-01\n"
    "P0002,黃河,DLR,專員,active,2025-05-01\n"
).encode()
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def hr_server():
    """An HTTP server on 127.0.0.1 that serves the feed only for the right bearer token."""
    state = {"body": FEED, "content_type": "text/csv; charset=utf-8", "delay": 0, "seen": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["seen"].append((self.path, self.headers.get("Authorization")))
            if state["delay"]:
                time.sleep(state["delay"])
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.send_header("WWW-Authenticate", "Bearer")
                self.end_headers()
                return
            body = state["body"]
            self.send_response(200)
            self.send_header("Content-Type", state["content_type"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/export/staff"
    yield state
    server.shutdown()
    server.server_close()


def test_scheduled_task_pulls_the_feed_with_the_bearer_token(hr_server, settings):
    settings.HR_FEED_URL = hr_server["url"]
    settings.HR_FEED_TOKEN = TOKEN
    result = hr_sync_scheduled.delay().get()
    run = HRSyncRun.objects.get(pk=result["run"])
    assert run.status == HRSyncStatus.APPLIED and run.created_count == 2
    assert run.source == hr_server["url"]
    assert hr_server["seen"] == [("/export/staff", f"Bearer {TOKEN}")]
    assert User.objects.get(employee_number="P0002").organization.code == "DLR"


def test_wrong_token_fails_the_run_and_changes_nothing(hr_server, settings):
    settings.HR_FEED_URL = hr_server["url"]
    settings.HR_FEED_TOKEN = "wrong-token"
    result = hr_sync_scheduled.delay().get()
    run = HRSyncRun.objects.get(pk=result["run"])
    assert run.status == HRSyncStatus.FAILED
    assert "401" in run.message
    assert not User.objects.filter(employee_number__startswith="P").exists()


def test_a_slow_hr_system_times_out(hr_server, settings):
    hr_server["delay"] = 3
    settings.HR_FEED_URL = hr_server["url"]
    settings.HR_FEED_TOKEN = TOKEN
    settings.HR_FEED_TIMEOUT = 1
    result = hr_sync_scheduled.delay().get()
    run = HRSyncRun.objects.get(pk=result["run"])
    assert run.status == HRSyncStatus.FAILED
    assert "1" in run.message and not User.objects.filter(employee_number="P0001").exists()


def test_json_lines_served_with_their_content_type_are_read_as_such(hr_server, settings):
    hr_server["body"] = (
        b'{"employee_number": "P0003", "unit_code": "SEC", "status": "active", '
        b'"effective_date": "2025-05-01"}\n'
    )
    hr_server["content_type"] = "application/x-ndjson"
    settings.HR_FEED_TOKEN = TOKEN
    call_command("hr_sync", "--url", hr_server["url"], stdout=StringIO())
    assert User.objects.get(employee_number="P0003").organization.code == "SEC"


def test_command_url_failure_is_a_command_error(hr_server, settings):
    settings.HR_FEED_TOKEN = ""
    with pytest.raises(CommandError, match="401"):
        call_command("hr_sync", "--url", hr_server["url"], stdout=StringIO())


def test_scheduled_task_reads_the_configured_path(tmp_path, settings):
    path = tmp_path / "staff.csv"
    path.write_bytes(FEED)
    settings.HR_FEED_URL = ""
    settings.HR_FEED_PATH = str(path)
    result = hr_sync_scheduled.delay().get()
    assert HRSyncRun.objects.get(pk=result["run"]).created_count == 2


def test_scheduled_task_does_nothing_without_a_source(settings):
    settings.HR_FEED_URL = settings.HR_FEED_PATH = ""
    assert hr_sync_scheduled.delay().get() == {"status": "not_configured"}
    assert not HRSyncRun.objects.exists()


def test_beat_runs_the_sync_every_15_minutes_by_default():
    app.finalize()
    entry = app.conf.beat_schedule["accounts-hr-sync"]
    assert entry["task"] == "accounts.hr.tasks.hr_sync_scheduled"
    assert entry["schedule"] == timedelta(minutes=15)
    assert 0 < entry["options"]["expires"] <= 15 * 60
    assert entry["task"] in app.tasks


def _settings_in_subprocess(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HR_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="mol_portal.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_interval_is_configurable():
    done = _settings_in_subprocess(
        "from mol_portal.celery import app; app.finalize(); "
        "print(app.conf.beat_schedule['accounts-hr-sync']['schedule'].total_seconds())",
        HR_SYNC_INTERVAL_MINUTES="5",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "300.0"


def test_a_deactivation_ratio_outside_0_to_1_stops_start_up():
    done = _settings_in_subprocess("pass", HR_MAX_DEACTIVATE_RATIO="15")
    assert done.returncode != 0
    assert "HR_MAX_DEACTIVATE_RATIO" in done.stderr
