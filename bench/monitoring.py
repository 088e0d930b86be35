# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of the service monitor, on loopback only.

Setup: a throwaway PostgreSQL database (``_common.Postgres``; SQLite when no server answers),
migrated; a target server in a process of its own (asyncio, one connection per request):
``/ok/<n>`` answers 200 at once, ``/slow/<n>`` after 2 s, ``/fail/<n>`` 500, ``/flip`` 200 until
``/control/down``.

1. **Runner**: BENCH_CHECKS (2,000) HTTP checks at a 60 s interval, a fifth of them slow or
   failing (timeout 5 s), all due at once; this process is the one worker: it runs
   ``runner.run_due`` until nothing is due. Measured: checks completed per second, CPU
   seconds and peak RSS of the worker. Target: all of them within one interval (60 s).
2. **Alert lag**: one more check (interval BENCH_LAG_INTERVAL = 10 s, failure threshold 2,
   a contact rule mailing one person at once) whose target goes down; the worker passes every
   second, as beat would, while the 2,000 checks keep running. Measured: seconds from the
   target going down to the alert's outbox row. Target: under interval × (threshold + 1).
3. **Pings**: ``/ping/<uuid>`` through gunicorn (2 sync workers) on the same database, through
   the portal's application ``mol_portal.wsgi`` (which dispatches ``/ping/`` to the plain
   entry ``monitoring.wsgi_ping:application``: the path a deployment serves), through that
   plain entry alone (a steady ping answered from the environ, no Django request object) and
   through ``monitoring.wsgi_ping:full_application`` (the previous lean handler: a
   ``WSGIRequest`` and the view's code), next to the bare Django view of ``_bare_wsgi.py`` in
   the same run: requests/s, requests per CPU-second of the workers and the ratio to the bare
   view's. Target: ≥ 1,000 pings per worker CPU-second.
4. **Dashboard**: ``/monitoring/`` with those 2,000 checks and their results, as a monitoring
   manager (Django's test client through the whole middleware stack): p50/p95. Target: p95
   under 300 ms.

Every loop is bounded in count and time. Knobs: BENCH_CHECKS, BENCH_SECONDS (ping phase, 5),
BENCH_THREADS (4), BENCH_LAG_INTERVAL (10).
"""

from __future__ import annotations

import http.client
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Gunicorn, Postgres, free_port, manage, port_open  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHECKS = int(os.environ.get("BENCH_CHECKS", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
LAG_INTERVAL = int(os.environ.get("BENCH_LAG_INTERVAL", "10"))
INTERVAL = 60

TARGET_SERVER = r"""
import asyncio, sys
state = {"flip": True}
async def handle(reader, writer):
    try:
        line = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        path = line.split()[1].decode() if len(line.split()) > 1 else "/"
        status = 200
        if path.startswith("/slow/"):
            await asyncio.sleep(2)
        elif path.startswith("/fail/"):
            status = 500
        elif path == "/control/down":
            state["flip"] = False
        elif path == "/flip" and not state["flip"]:
            status = 503
        body = b"ok" if status == 200 else b"no"
        writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                     % (status, len(body), body))
        await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def get(port: int, path: str, timeout: float = 15) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def hammer(server: Gunicorn, path: str) -> dict:
    for _ in range(20):  # the first requests load the application in each worker: be patient
        try:
            status = get(server.port, path, timeout=120)
        except OSError as exc:
            return {"error": f"{path}: {exc}"}
        if status != 200:
            return {"error": f"{path} does not answer 200"}
    count = [0, 0]
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client():
        while time.monotonic() < stop_at:
            ok = get(server.port, path) == 200
            with lock:
                count[0 if ok else 1] += 1

    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cpu = server.cpu_seconds() - cpu_before
    return {
        "requests": count[0],
        "failed": count[1],
        "rps": count[0] / wall,
        "per_cpu_second": count[0] / cpu if cpu else 0.0,
    }


def setup_checks(target_port: int):
    from accounts.models import Role, RoleAssignment, User
    from monitoring.choices import CheckKind
    from monitoring.models import ApplicationGroup, Check, ContactRule, EscalationStep
    from monitoring.roles import MANAGER

    group, _ = ApplicationGroup.objects.get_or_create(code="bench", defaults={"name_zh": "基準"})
    rows = []
    for n in range(CHECKS):
        path = f"/ok/{n}"
        if n % 10 == 0:
            path = f"/slow/{n}"
        elif n % 10 == 5:
            path = f"/fail/{n}"
        rows.append(
            Check(
                name=f"bench {n:04d}",
                group=group,
                kind=CheckKind.HTTP,
                url=f"http://127.0.0.1:{target_port}{path}",
                interval_seconds=INTERVAL,
                timeout_seconds=5,
                failure_threshold=2,
                next_run_at=None,
            )
        )
    Check.objects.bulk_create(rows, batch_size=1000)
    person, _ = User.objects.get_or_create(
        username="bench.manager", defaults={"email": "bench@example.gov.tw", "name_zh": "基準"}
    )
    role, _ = Role.objects.get_or_create(code=MANAGER, application=None, defaults={"name_zh": "x"})
    RoleAssignment.objects.get_or_create(user=person, role=role, scope=None)
    rule = ContactRule.objects.create(name="bench")
    step = EscalationStep.objects.create(rule=rule, order=1, email=True)
    step.users.add(person)
    flip = Check.objects.create(
        name="bench flip",
        group=ApplicationGroup.objects.create(code="bench-flip", name_zh="翻轉"),
        kind=CheckKind.HTTP,
        url=f"http://127.0.0.1:{target_port}/flip",
        interval_seconds=LAG_INTERVAL,
        timeout_seconds=5,
        failure_threshold=2,
    )
    flip.contact_rules.add(rule)
    return person, flip


def run_all(now_due: bool = True) -> dict:
    from django.utils import timezone

    from monitoring.models import Check
    from monitoring.services import runner

    Check.objects.filter(name__startswith="bench ").update(next_run_at=timezone.now())
    cpu_before = cpu_seconds()
    started = time.monotonic()
    done = 0
    while time.monotonic() - started < 5 * INTERVAL:
        report = runner.run_due()
        done += report.claimed
        if not report.claimed:
            break
    wall = time.monotonic() - started
    return {"checks": done, "seconds": wall, "cpu": cpu_seconds() - cpu_before}


def alert_lag(target_port: int, flip) -> float | None:
    from monitoring.services import alerts, runner
    from notifications.models import Delivery

    runner.check_run_now(check=flip)  # up first
    get(target_port, "/control/down")
    down_at = time.monotonic()
    while time.monotonic() - down_at < 6 * LAG_INTERVAL:
        runner.run_due()
        alerts.escalations_due()
        if Delivery.objects.filter(kind="monitoring.alert").exists():
            return time.monotonic() - down_at
        time.sleep(1)
    return None


def dashboard(person) -> dict:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=person, name="bench", confirmed=True)
    client = Client()
    client.force_login(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    timings = []
    for _ in range(5):
        assert client.get("/monitoring/").status_code == 200
    for _ in range(40):
        started = time.perf_counter()
        status = client.get("/monitoring/").status_code
        timings.append(time.perf_counter() - started)
        if status != 200:
            return {"error": status}
    cuts = statistics.quantiles(timings, n=100)
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000}


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-monitoring-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_HTTPS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    postgres = Postgres()
    use_postgres = postgres.create()
    if use_postgres:
        env["DATABASE_URL"] = postgres.url
    target_port = free_port()
    target = subprocess.Popen(
        [sys.executable, "-c", TARGET_SERVER, str(target_port)], stdin=subprocess.DEVNULL
    )
    servers: list[Gunicorn] = []
    try:
        deadline = time.monotonic() + 10
        while not port_open(target_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        person, flip = setup_checks(target_port)
        first = run_all()
        second = run_all()  # connections and caches warm
        lag = alert_lag(target_port, flip)
        board = dashboard(person)
        from monitoring.models import Check

        heartbeat = Check.objects.create(
            name="bench heartbeat", group=flip.group, kind="heartbeat", period_seconds=3600
        )
        portal = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log")
        servers.append(portal)
        bare = Gunicorn("_bare_wsgi:application", {"PATH": env["PATH"]}, tmp / "bare.log",
                        "--pythonpath", str(ROOT / "bench"))  # fmt: skip
        servers.append(bare)
        lean = Gunicorn("monitoring.wsgi_ping:application", env, tmp / "ping.log")
        servers.append(lean)
        full = Gunicorn("monitoring.wsgi_ping:full_application", env, tmp / "ping-full.log")
        servers.append(full)
        pings = hammer(portal, f"/ping/{heartbeat.uuid}")
        lean_pings = hammer(lean, f"/ping/{heartbeat.uuid}")
        full_pings = hammer(full, f"/ping/{heartbeat.uuid}")
        baseline = hammer(bare, "/bare")
    finally:
        for server in servers:
            server.stop()
        target.terminate()
        target.wait(timeout=10)
        if use_postgres:
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            postgres.drop()

    database = "PostgreSQL" if use_postgres else "SQLite"
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nmonitoring benchmark on {database}, {CHECKS} HTTP checks (1/5 slow or failing)")
    print(f"load average (1/5/15 min) at the end: {load}, {os.cpu_count()} CPUs")
    failed = False
    for name, run in (("first pass", first), ("second pass", second)):
        rate = run["checks"] / run["seconds"] if run["seconds"] else 0
        ok = run["checks"] >= CHECKS and run["seconds"] < INTERVAL
        failed |= not ok
        print(
            f"runner {name}: {run['checks']} checks in {run['seconds']:.1f} s = {rate:.0f}/s, "
            f"CPU {run['cpu']:.1f} s ({'ok' if ok else 'MISSED'}: all within {INTERVAL} s)"
        )
    print(f"worker peak RSS: {rss_peak_mb():.0f} MB")
    limit = LAG_INTERVAL * 3
    if lag is None:
        failed = True
        print(f"alert lag: no alert within {6 * LAG_INTERVAL} s (MISSED)")
    else:
        verdict = "ok" if lag < limit else "MISSED"
        print(f"alert lag: {lag:.1f} s (interval {LAG_INTERVAL} s, threshold 2; "
              f"target < {limit} s: {verdict})")  # fmt: skip
    if "error" in board:
        failed = True
        print(f"dashboard: HTTP {board['error']}")
    else:
        verdict = "ok" if board["p95"] < 300 else "MISSED"
        print(f"dashboard ({CHECKS + 2} checks): p50 {board['p50']:.0f} ms, "
              f"p95 {board['p95']:.0f} ms (target < 300 ms: {verdict})")  # fmt: skip
    cases = (
        ("pings, portal app (dispatched to the plain entry)", pings),
        ("pings, monitoring.wsgi_ping:application (plain)", lean_pings),
        ("pings, monitoring.wsgi_ping:full_application", full_pings),
        ("bare Django view", baseline),
    )
    bare_cost = baseline.get("per_cpu_second") or 0
    for name, result in cases:
        if "error" in result:
            failed = True
            print(f"{name}: {result['error']}")
            continue
        verdict = ""
        if name.startswith("pings"):
            ok = result["per_cpu_second"] >= 1000 and not result["failed"]
            failed |= not ok
            verdict = f" (target >= 1,000 per CPU-second: {'ok' if ok else 'MISSED'})"
            if bare_cost:
                verdict += f", {result['per_cpu_second'] / bare_cost:.2f}x the bare view's"
        print(f"{name}: {result['rps']:.0f} req/s, {result['per_cpu_second']:.0f} per worker "
              f"CPU-second, {result['failed']} failed{verdict}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
