"""/healthz against real parts: eager mode, a closed broker port, a real Redis broker with a
real worker, and an unreachable database (in a subprocess, so nothing is mocked)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from mol_portal.celery import app

from .conftest import find_free_port

ROOT = Path(__file__).resolve().parents[2]
PARTS = {"database", "cache", "broker", "workers"}


@pytest.fixture
def celery_conf():
    """Lets a test change the Celery app's configuration; restores it afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    yield app.conf
    app.conf.update(saved)


@pytest.mark.django_db
def test_healthz_ok_in_eager_mode(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == PARTS
    assert all(part["ok"] for part in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_names_the_broker_when_its_port_is_closed(client, celery_conf, settings):
    celery_conf.task_always_eager = False
    celery_conf.broker_url = f"redis://127.0.0.1:{find_free_port()}/0"
    settings.HEALTHZ_TIMEOUT = 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert "broker" in body["failing"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_ok_with_a_real_broker_and_worker(
    client, needs_redis, celery_worker_process, celery_conf, settings
):
    celery_conf.task_always_eager = False
    celery_conf.broker_url = needs_redis
    settings.HEALTHZ_REQUIRE_WORKERS = True
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["broker"] == {"ok": True, "detail": "ok", "required": True}
    assert body["checks"]["workers"]["ok"] is True
    assert body["checks"]["workers"]["detail"] == "ok"


def test_healthz_names_the_database_when_it_is_unreachable(tmp_path):
    """A production-mode process whose PostgreSQL port is closed: a real connection failure."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://mol@127.0.0.1:{find_free_port()}/mol",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_HTTPS": "0",
        "HEALTHZ_TIMEOUT": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["failing"] == ["database"]
    assert answer["body"]["checks"]["database"]["detail"] == "OperationalError"
