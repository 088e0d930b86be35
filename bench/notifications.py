# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of the notifications app: fan-out, the API through gunicorn, and the outbox's
e-mail rate next to raw smtplib.

Setup: a throwaway PostgreSQL database ``mol_bench_notifications``, a redis-server of its own
on a free port (the Celery broker), an aiosmtpd SMTP sink in this process, gunicorn (2 sync
workers) with ``CELERY_TASK_ALWAYS_EAGER=0`` so each request only publishes its relay task;
quiet hours off; BENCH_ROLE_SIZE (default 3000) people holding the role ``bench.everyone``, an
API sender with a client-credentials token holding ``notifications:send``.

1. Fan-out: one ``POST /api/v1/notifications/`` with ``{"roles": ["bench.everyone"]}`` (a
   to-do): notices/s created, and the time until the notice is in the web inbox
   (``/notifications/badge/`` over a signed-in session) of BENCH_SAMPLE people, the last
   created among them.
2. Individual notices, each to one person by employee number, in two runs:
   a. latency: BENCH_LATENCY_NOTICES (default 3000) POSTs from one keep-alive connection per
      gunicorn worker (2), so that no request waits in the listen queue behind another:
      POST latency p50/p95, the target (p95 < 30 ms). A sync worker serves one request at a
      time; with more connections than workers the figure is the queue, not the request.
   b. throughput: BENCH_API_NOTICES (default 10000) POSTs from BENCH_CLIENTS (default 4)
      connections: notices/s, the latency there (queued: shown, no target), and the time
      until the last one is in its inbox.
   Also the gunicorn workers' CPU time per POST and the load average before and after: on a
   shared machine the latency depends on what else runs, the CPU time much less.
3. E-mail: one Celery worker (``--pool=solo``) started after 1 and 2 drains every delivery
   queued by them into the sink: e-mails/s until the last is marked sent. Raw ``smtplib`` (a
   separate process, one connection, ``sendmail``) sends the same MIME messages (the bytes
   ``outbox.email_bytes`` writes for each row, under another Message-ID; BENCH_RAW, default
   the same count), half just before the worker and half just after, to the same sink; the
   table shows the outbox's rate as a share of raw (target >= 60 %).

Checks (exit 1 otherwise): every POST answered 201, every person has exactly one fan-out
notice, every delivery was sent exactly once (the sink saw each Message-ID once).
Only 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import pickle
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import BIN, Gunicorn, Postgres, free_port, manage, port_open  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ROLE_SIZE = int(os.environ.get("BENCH_ROLE_SIZE", "3000"))
API_NOTICES = int(os.environ.get("BENCH_API_NOTICES", "10000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
LATENCY_NOTICES = int(os.environ.get("BENCH_LATENCY_NOTICES", "3000"))
WORKERS = 2  # gunicorn sync workers
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "20"))
RAW = int(os.environ.get("BENCH_RAW", "0"))  # 0: as many as the outbox sent
DB_NAME = "mol_bench_notifications"
P95_TARGET_MS = 30.0
MAIL_TARGET = 0.60
TOKEN = "bench-" + secrets.token_hex(16)
PASSWORD = "bench-" + secrets.token_hex(8)
TIME_LIMIT = 900  # seconds any phase may take at most

RAW_SENDER = r"""
import pickle, smtplib, sys, time
messages = pickle.load(open(sys.argv[1], "rb"))
smtp = smtplib.SMTP("127.0.0.1", int(sys.argv[2]), timeout=30)
started = time.perf_counter()
for sender, to, data in messages:
    smtp.sendmail(sender, to, data)
elapsed = time.perf_counter() - started
smtp.quit()
print(elapsed)
"""


class Sink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.count = 0
        self.ids: dict[str, int] = {}
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
                message_id = ""
                for line in head.split("\r\n"):
                    if line.lower().startswith("message-id:"):
                        message_id = line.split(":", 1)[1].strip()
                with sink.lock:
                    sink.count += 1
                    sink.ids[message_id] = sink.ids.get(message_id, 0) + 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class Api:
    """One keep-alive connection to gunicorn."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Host": "127.0.0.1", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        return 0, b""


def log_in(port: int, username: str) -> str:
    """Sign in through the login form like a browser; returns the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookies: dict[str, str] = {}

    def request(method, path, body=None):
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    _status, page = request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    status, _data = request("POST", "/accounts/login/", body)
    if status != 302:
        sys.exit(f"login of {username} answered {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wait_visible(port: int, cookies: dict[str, str], started: float) -> float:
    """Seconds from ``started`` until the inbox badge of every sampled person (username →
    Cookie header) counts as many unread notices as the database holds for them."""
    from django.db.models import Count

    from notifications.models import Notice

    expected = dict(
        Notice.objects.filter(recipient__username__in=list(cookies), state="unread")
        .values_list("recipient__username")
        .annotate(n=Count("pk"))
    )
    deadline = time.monotonic() + TIME_LIMIT
    pending = dict(cookies)
    while pending and time.monotonic() < deadline:
        for name, cookie in list(pending.items()):
            status, data = Api(port, {"Cookie": cookie}).call("GET", "/notifications/badge/")
            if status == 200 and json.loads(data)["unread"] >= expected.get(name, 0):
                del pending[name]
        if pending:
            time.sleep(0.05)
    if pending:
        sys.exit(f"not visible within {TIME_LIMIT} s: {sorted(pending)[:3]}")
    return time.perf_counter() - started


def start_redis(tmp: Path) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench/notifications.py needs redis-server")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not port_open(port):
        if time.monotonic() > deadline:
            sys.exit("redis-server did not start")
        time.sleep(0.05)
    return process, port


def setup_people():
    """ROLE_SIZE people holding bench.everyone, the API sender and its token, and signed-in
    sessions of SAMPLE people (cookies)."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model

    from accounts.models import Application, Role, RoleAssignment, User
    from core.models import Organization
    from notifications.models import ApiClient

    unit = Organization.objects.get(code="IM")
    users = [
        User(
            username=f"bench{n:05d}",
            employee_number=f"B{n:05d}",
            name_zh=f"壓測員{n}",
            email=f"bench{n:05d}@bench.example",
            organization=unit,
            password="!",  # noqa: S106 - unusable password
        )
        for n in range(ROLE_SIZE)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    role = Role.objects.create(code="bench.everyone", name_zh="壓測角色", name_en="Bench role")
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=role) for u in users], batch_size=1000
    )
    app = Application.objects.create(
        name="Bench sender",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
    )
    ApiClient.objects.create(application=app, source="bench", rate_per_minute=1_000_000)
    get_access_token_model().objects.create(
        application=app,
        token=TOKEN,
        scope="notifications:send",
        expires=timezone.now() + timedelta(hours=6),
    )
    sampled = users[-SAMPLE:]
    User.objects.filter(pk__in=[u.pk for u in sampled]).update(password=make_password(PASSWORD))
    return users, [u.username for u in sampled]


def fan_out(port: int, cookies: dict[str, str]) -> dict:

    api = Api(port, {"Authorization": f"Bearer {TOKEN}"})
    started = time.perf_counter()
    status, data = api.call(
        "POST",
        "/api/v1/notifications/",
        {
            "message_id": "fan-out-1",
            "recipients": {"roles": ["bench.everyone"]},
            "kind": "todo",
            "title": {
                "zh-hant": "請完成年度資安教育訓練",
                "en": "Complete the annual security training",
            },
            "body": "請於月底前完成。",
            "link": "/documents/",
        },
    )
    created = time.perf_counter() - started
    visible = wait_visible(port, cookies, started)
    return {
        "status": status,
        "body": data[:300],
        "seconds": created,
        "visible": visible,
        "rate": ROLE_SIZE / created if created else 0,
    }


def individual(
    port: int, users, cookies: dict[str, str], *, count: int, clients: int, prefix: str
) -> dict:

    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    work = iter(range(count))
    numbers = [u.employee_number for u in users]

    def client():
        api = Api(port, {"Authorization": f"Bearer {TOKEN}"})
        while True:
            with lock:
                i = next(work, None)
            if i is None:
                return
            body = {
                "message_id": f"{prefix}-{i}",
                "recipients": {"employees": [numbers[i % len(numbers)]]},
                "kind": "information",
                "title": f"通知 {i}",
                "body": "壓測通知內容",
            }
            begin = time.perf_counter()
            status, data = api.call("POST", "/api/v1/notifications/", body)
            elapsed = time.perf_counter() - begin
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                else:
                    failures.append(f"HTTP {status}: {data[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT)
    wall = time.perf_counter() - started
    visible = wait_visible(port, cookies, started)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "ok": len(latencies),
        "failures": failures,
        "rate": len(latencies) / wall,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "visible": visible,
    }


def drain_with_worker(env: dict, tmp: Path, sink: Sink) -> dict:
    from notifications.choices import DeliveryState
    from notifications.models import Delivery

    total = Delivery.objects.count()
    log = tmp / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "mol_portal",
                "worker",
                "--pool=solo",
                "-c",
                "1",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + TIME_LIMIT
        already = sink.count  # raw smtplib's first half
        while sink.count == already and time.monotonic() < deadline:
            if worker.poll() is not None:
                sys.exit(f"worker exited:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)
        started = time.perf_counter()
        first = sink.count - already
        while time.monotonic() < deadline:
            sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
            if sent >= total:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
    return {"total": total, "sent": sent, "rate": (sent - first) / wall if wall else 0}


def raw_smtplib(sink: Sink, tmp: Path, count: int, offset: int = 0) -> dict:
    from notifications.models import Delivery
    from notifications.services.outbox import email_bytes

    rows = Delivery.objects.order_by("pk")[offset : offset + count]
    messages = []
    for row in rows:
        # The bytes the outbox handed to the sink for this row, under another Message-ID.
        row.message_id = f"<raw-{row.pk}@bench>"
        messages.append(email_bytes(row))
    path = tmp / "raw.pickle"
    path.write_bytes(pickle.dumps(messages))
    before = sink.count
    result = subprocess.run(
        [sys.executable, "-c", RAW_SENDER, str(path), str(sink.port)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    if result.returncode:
        sys.exit(f"raw smtplib failed: {result.stderr[-2000:]}")
    seconds = float(result.stdout.strip())
    return {
        "count": len(messages),
        "seconds": seconds,
        "rate": len(messages) / seconds,
        "received": sink.count - before,
    }


def step(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-notifications-"))
    redis, redis_port = start_redis(tmp)
    sink = Sink()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DJANGO_BEHIND_PROXY": "0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NOTIFICATIONS_QUIET_START": "00:00",
        "NOTIFICATIONS_QUIET_END": "00:00",
        "MFA_REQUIRED_FOR_STAFF": "0",
    }
    postgres = Postgres(DB_NAME)
    postgres.url = postgres.url.rsplit("/", 1)[0] + "/" + DB_NAME
    postgres.drop()
    if not postgres.create():
        sys.exit("bench/notifications.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    server = None
    try:
        step("migrate")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        import django

        django.setup()
        step("people")
        users, sampled = setup_people()
        server = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log")
        cookies = {name: log_in(server.port, name) for name in sampled}
        step("fan-out")
        fan = fan_out(server.port, cookies)
        step("individual notices")
        cpu, load = server.cpu_seconds(), os.getloadavg()[0]
        lat = individual(
            server.port, users, cookies, count=LATENCY_NOTICES, clients=WORKERS, prefix="lat"
        )
        lat["cpu_ms"] = (server.cpu_seconds() - cpu) / max(lat["ok"], 1) * 1000
        lat["load"] = (load, os.getloadavg()[0])
        cpu, load = server.cpu_seconds(), os.getloadavg()[0]
        one = individual(
            server.port, users, cookies, count=API_NOTICES, clients=CLIENTS, prefix="one"
        )
        one["cpu_ms"] = (server.cpu_seconds() - cpu) / max(one["ok"], 1) * 1000
        one["load"] = (load, os.getloadavg()[0])
        server.stop()
        server = None
        # Raw smtplib half before and half after the worker: the machine's load (other jobs
        # on a shared machine) then weighs on both alike.
        from notifications.models import Delivery

        half = (RAW or Delivery.objects.count()) // 2
        step("raw smtplib (first half)")
        raw1 = raw_smtplib(sink, tmp, half)
        step("worker drains the outbox")
        mail = drain_with_worker(env, tmp, sink)
        step("raw smtplib (second half)")
        raw2 = raw_smtplib(sink, tmp, half, offset=half)
        count = raw1["count"] + raw2["count"]
        raw = {"count": count, "rate": count / (raw1["seconds"] + raw2["seconds"])}
        from notifications.models import Notice

        per_person = Notice.objects.filter(api_message__message_id="fan-out-1").count()
        duplicates = [m for m, n in sink.ids.items() if n > 1 and not m.startswith("<raw-")]
    finally:
        if server:
            server.stop()
        sink.stop()
        redis.terminate()
        from django.db import connections

        connections.close_all()
        postgres.drop()

    share = mail["rate"] / raw["rate"] if raw["rate"] else 0
    print(
        f"\ngunicorn 2 sync workers, PostgreSQL ({DB_NAME}), Redis broker, aiosmtpd sink; "
        f"role of {ROLE_SIZE}; API notices: {LATENCY_NOTICES} from {WORKERS} connections "
        f"(latency), then {API_NOTICES} from {CLIENTS} (throughput)"
    )
    print(f"{'measure':<46}{'value':>12}  target")
    print(f"{'fan-out to the role: notices created/s':<46}{fan['rate']:>12.0f}")
    print(f"{'fan-out: seconds until in every sampled inbox':<46}{fan['visible']:>12.2f}")
    print(f"{'API notices created/s':<46}{one['rate']:>12.0f}")
    print(
        f"{'API POST latency p50 / p95 ms, ' + str(WORKERS) + ' connections':<46}"
        f"{lat['p50']:>6.1f}/{lat['p95']:<5.1f}"
        f"  p95 < {P95_TARGET_MS:.0f} ms {'ok' if lat['p95'] < P95_TARGET_MS else 'MISSED'}"
    )
    print(
        f"{'API: gunicorn CPU ms per POST, latency run':<46}{lat['cpu_ms']:>12.1f}"
        f"  (load average {lat['load'][0]:.1f} before, {lat['load'][1]:.1f} after)"
    )
    print(
        f"{'API POST p50 / p95 ms, ' + str(CLIENTS) + ' connections (queued)':<46}"
        f"{one['p50']:>6.1f}/{one['p95']:<5.1f}"
    )
    print(f"{'API: seconds until the last is in its inbox':<46}{one['visible']:>12.2f}")
    print(
        f"{'API: gunicorn CPU ms per POST (both workers)':<46}{one['cpu_ms']:>12.1f}"
        f"  (load average {one['load'][0]:.1f} before, {one['load'][1]:.1f} after)"
    )
    print(
        f"{'e-mails/s by one worker through the outbox':<46}{mail['rate']:>12.0f}"
        f"  ({mail['sent']}/{mail['total']} sent)"
    )
    print(
        f"{'e-mails/s by raw smtplib, same messages':<46}{raw['rate']:>12.0f}"
        f"  ({raw['count']} sent)"
    )
    print(
        f"{'outbox / raw':<46}{share:>11.0%}  >= {MAIL_TARGET:.0%} "
        f"{'ok' if share >= MAIL_TARGET else 'MISSED'}"
    )
    problems = []
    if fan["status"] != 201:
        problems.append(f"fan-out answered {fan['status']}: {fan['body']!r}")
    if per_person != ROLE_SIZE:
        problems.append(f"fan-out made {per_person} notices for {ROLE_SIZE} people")
    if one["failures"] or lat["failures"]:
        problems += (lat["failures"] + one["failures"])[:3]
    if mail["sent"] != mail["total"]:
        problems.append(f"only {mail['sent']} of {mail['total']} deliveries sent")
    if duplicates:
        problems.append(f"{len(duplicates)} Message-IDs reached the sink more than once")
    for problem in problems:
        print("  !", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
