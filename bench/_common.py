"""What the benchmarks share: free loopback ports, ``manage.py`` runs, a throwaway PostgreSQL
database and gunicorn servers (with the CPU time their workers used)."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``env``; stop the benchmark when it fails. Returns its stdout."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Postgres:
    """A benchmark database on the local PostgreSQL server (``DATABASE_URL``'s server, else
    127.0.0.1:5432), re-created by ``create()`` and dropped by ``drop()``."""

    def __init__(self, name: str | None = None):
        url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
        self.conninfo = {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": url.username or "postgres",
            "password": url.password,
            "dbname": "postgres",
        }
        self.name = name or f"mol_bench_{secrets.token_hex(5)}"
        auth = url.username or "postgres"
        if url.password:
            auth += f":{url.password}"
        self.url = f"postgres://{auth}@{self.conninfo['host']}:{self.conninfo['port']}/{self.name}"

    def _execute(self, sql: str) -> None:
        with psycopg.connect(**self.conninfo, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)

    def create(self) -> bool:
        """A fresh, empty database; False (with the reason printed) when there is no server."""
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{self.name}"')
            return True
        except Exception as exc:  # noqa: BLE001 - no server or no rights: the caller decides
            print(f"PostgreSQL not available on {self.conninfo['host']} ({exc})")
            return False

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Gunicorn:
    """A gunicorn serving ``app`` on a free loopback port with ``workers`` sync workers."""

    def __init__(self, app: str, env: dict[str, str], logfile: Path, *extra: str, workers: int = 2):
        self.port = free_port()
        self.logfile = logfile
        with logfile.open("w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(workers), "--log-level", "warning", *extra],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"gunicorn {app} did not start:\n{logfile.read_text()[-4000:]}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid:  # ppid
                pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) the workers have used so far."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / CLOCK_TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank); 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def drive(
    port: int,
    method: str,
    path: str,
    *,
    seconds: float,
    clients: int,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    body_of=None,
    expect: int = 200,
    keep=None,
) -> dict:
    """``clients`` threads sending ``method path`` to 127.0.0.1:``port`` for ``seconds``, each
    request on a new connection (``Connection: close``). ``body_of()`` makes each request's
    body (else ``body``); ``keep(data)`` of each expected answer is collected in ``kept``.
    Returns requests/s, count, p50 and p95 (ms), the failures and what was kept."""
    lock = threading.Lock()
    ok: list[float] = []
    failures: list[str] = []
    kept: list = []
    stop_at = time.monotonic() + seconds
    sent = {"Host": "127.0.0.1", "Connection": "close", **(headers or {})}

    def client():
        while time.monotonic() < stop_at:
            payload = body_of() if body_of else body
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=sent)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as exc:
                with lock:
                    failures.append(repr(exc))
                continue
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == expect:
                    ok.append(elapsed)
                    if keep is not None:
                        kept.append(keep(data))
                else:
                    failures.append(f"HTTP {response.status}: {data[:200]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {
        "rps": len(ok) / wall,
        "count": len(ok),
        "p50": percentile(ok, 0.5) * 1000,
        "p95": percentile(ok, 0.95) * 1000,
        "failures": failures,
        "kept": kept,
    }
