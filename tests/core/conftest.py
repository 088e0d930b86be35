"""Fixtures of the core tests: free loopback ports and a real Celery worker process."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings

from mol_portal.celery import app
from tests.conftest import port_open, require

ROOT = Path(__file__).resolve().parents[2]


def find_free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return find_free_port()


def postgres_url(db: dict, name: str | None = None) -> str:
    """A DATABASE_URL for the server of a Django database settings dict."""
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(name or db['NAME'])}"


def process_env(**extra: str) -> dict[str, str]:
    """The test process's environment with the given overrides; a value of "" removes."""
    env = dict(os.environ)
    for key, value in extra.items():
        if value == "":
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(env: dict[str, str], *args: str, timeout: int = 300):
    """Run the venv's python in the project folder with exactly ``env`` (plus PATH and
    DJANGO_SETTINGS_MODULE): settings see nothing of the test process's environment."""
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def celery_command() -> list[str]:
    script = Path(sys.executable).with_name("celery")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


@dataclass
class WorkerProcess:
    nodename: str
    pidfile: Path
    logfile: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.logfile.read_text(encoding="utf-8", errors="replace")[-6000:]

    def stop(self) -> None:
        """SIGTERM the pid in the pidfile, SIGKILL if it is still there after 15 s."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            pid = self.process.pid
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """A real ``celery worker`` subprocess on the test Redis, using the test database.

    Skipped (failed with CI=true) without Redis. With PostgreSQL the worker connects to the
    test database pytest-django created, so it sees what ``transaction=True`` tests commit.
    Stopped by the pid in its pidfile before the test database is dropped.
    """
    redis_url = settings.REDIS_URL
    require(bool(redis_url), "REDIS_URL is not set: a real Celery worker needs a Redis broker")
    parsed = urlparse(redis_url)
    require(
        port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379),
        f"Redis is not reachable at {redis_url}",
    )
    workdir = tmp_path_factory.mktemp("celery-worker")
    db = settings.DATABASES["default"]
    env = process_env(
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        DATA_DIR=str(workdir),
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        DATABASE_URL=postgres_url(db) if db["ENGINE"].endswith("postgresql") else "",
    )
    nodename = f"mol-test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    worker = WorkerProcess(
        nodename=nodename,
        pidfile=workdir / "w.pid",
        logfile=workdir / "worker.log",
        process=None,
    )
    with worker.logfile.open("w") as log:
        worker.process = subprocess.Popen(
            [
                *celery_command(),
                "-A", "mol_portal", "worker", "--pool=solo", "-c", "1",
                "--pidfile", str(worker.pidfile), "-l", "info", "-n", nodename,
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if worker.process.poll() is not None:
                pytest.fail(f"Celery worker exited:\n{worker.log()}", pytrace=False)
            if app.control.ping(destination=[nodename], timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not answer within 30 s:\n{worker.log()}")
        yield worker
    finally:
        worker.stop()
