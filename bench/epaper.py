# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of the e-papers' sending: one issue to BENCH_SUBSCRIBERS (default 1,000,000)
generated subscribers, by one Celery worker process, into a local SMTP sink on loopback, next
to raw ``smtplib`` sending the same prepared message to the same sink in the same run.

Setup: a throwaway PostgreSQL database ``mol_bench_epaper`` (subscribers and their confirmed
subscriptions written with COPY and one INSERT … SELECT), a redis-server of its own (the Celery
broker), the SMTP sink ``bench/_smtp_counter.py`` in a process of its own (accepts and counts:
messages, distinct Message-IDs, bytes), one issue of the weekly newsletter with about 5 KB of
Chinese HTML (a real issue's size).

1. Raw ``smtplib``: a separate process sends the issue's message, prepared once for one
   recipient, BENCH_RAW times (default min(subscribers, 100000)) with ``sendmail`` over one
   connection, and as often over EPAPER_SMTP_CONNECTIONS connections (one thread each), half
   of each just before the worker and half just after (the load of a shared machine then
   weighs on both alike): messages/s and its peak RSS. This is the limit here.
2. The portal: the issue is scheduled; one worker (``celery worker --pool=solo``, the
   production task path: ``epaper.send_due`` starts it, ``epaper.send_issue`` sends it in
   batches, re-enqueued every EPAPER_SEND_SECONDS) with EPAPER_SMTP_CONNECTIONS connections
   (default 4) and no rate limit. Measured: the start (delivery rows written per second), the
   send (messages/s from the first message at the sink until the issue is marked sent), the
   worker's peak RSS (VmHWM) and CPU seconds.

Checks (exit 1 otherwise): the issue ends ``sent`` with every row sent, the sink received
exactly one message per subscriber and as many distinct Message-IDs. Targets (reported): at
least 60 % of raw smtplib over the same number of connections, under 300 MB per worker.
Only 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import BIN, CLOCK_TICKS, Postgres, free_port, manage, port_open  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "1000000"))
RAW = int(os.environ.get("BENCH_RAW", "0")) or min(SUBSCRIBERS, 100_000)
CONNECTIONS = int(os.environ.get("EPAPER_SMTP_CONNECTIONS", "4"))
DB_NAME = "mol_bench_epaper"
RATE_TARGET = 0.60
RSS_TARGET_MB = 300
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "7200"))  # seconds any phase may take

RAW_SENDER = r"""
import smtplib, sys, threading, time
data = open(sys.argv[1], "rb").read()
port, count, connections = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def run(n):
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=60)
    for _ in range(n):
        smtp.sendmail("epaper-bounces@bench.example", ["reader@bench.example"], data)
    smtp.quit()
each = count // connections
threads = [threading.Thread(target=run, args=(each,)) for _ in range(connections)]
started = time.perf_counter()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - started
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(each * connections, elapsed, peak)
"""

ISSUE_HTML = "".join(
    [
        "<h2>本期焦點：明年度基本工資調整</h2>",
        "<p>勞動部基本工資審議委員會決議，自明年一月一日起，每月基本工資調整為新臺幣"
        "28,590 元，每小時基本工資調整為 190 元，預估約有 241 萬名勞工受惠。</p>",
        *(
            f"<h3>重點 {n}</h3><p>雇主應依勞動基準法規定給付工資，並配合調整相關勞動條件；"
            "勞工如有疑問，可洽各地方政府勞工行政主管機關或撥打 1955 勞工諮詢申訴專線。"
            f'詳情請見<a href="https://www.mol.gov.tw/1607/1632/1633/{n}/">勞動部網站公告</a>。</p>'
            for n in range(1, 16)
        ),
        "<ul><li>月薪：28,590 元</li><li>時薪：190 元</li><li>實施日期：明年一月一日</li></ul>",
    ]
)


def step(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def start_redis(tmp: Path) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench/epaper.py needs redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not port_open(port):
        if time.monotonic() > deadline:
            sys.exit("redis-server did not start")
        time.sleep(0.05)
    return process, port


class CountingSink:
    """bench/_smtp_counter.py in its own process."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_smtp_counter.py"), str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            sys.exit("the SMTP sink did not start")

    def _command(self, verb: str) -> str:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as smtp:
            _code, reply = smtp.docmd(verb)
        return reply.decode()

    def stats(self) -> tuple[int, int, int]:
        messages, ids, size = self._command("XSTATS").split()
        return int(messages), int(ids), int(size)

    def reset(self) -> None:
        self._command("XRESET")

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def generate_subscribers(count: int) -> None:
    """``count`` active subscribers with a confirmed subscription to the weekly newsletter:
    COPY, then one INSERT … SELECT, then ANALYZE."""
    from django.db import connection
    from django.utils import timezone

    from epaper.models import Newsletter, Subscriber, Subscription

    now = timezone.now()
    table = Subscriber._meta.db_table
    columns = (
        "email, language, state, link_version, hard_bounces, soft_bounces, consent_source, "
        "privacy_version, consented_at, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row(
                    (f"reader{n:07d}@bench.example", "zh-hant", "active", 1, 0, 0, "bench",
                     "2026-01", now, now, now)
                )  # fmt: skip
        weekly = Newsletter.objects.get(code="weekly")
        insert = (
            f"INSERT INTO {Subscription._meta.db_table} "  # noqa: S608 - the models' tables
            "(subscriber_id, newsletter_id, state, source, requested_at, confirmed_at) "
            f"SELECT id, %s, 'confirmed', 'bench', %s, %s FROM {table}"
        )
        cursor.execute(insert, [weekly.pk, now, now])
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {Subscription._meta.db_table}")


def make_issue():
    from django.utils import timezone

    from epaper.models import Issue, IssueState, Newsletter
    from epaper.services.issues import clean_html, html_to_text

    html = clean_html(ISSUE_HTML)
    return Issue.objects.create(
        newsletter=Newsletter.objects.get(code="weekly"),
        number=1,
        title="勞工電子週報第 1 期：明年度基本工資調整",
        html=html,
        text=html_to_text(html),
        state=IssueState.DRAFT,
        scheduled_at=timezone.now(),
    )


def raw_smtplib(sink: CountingSink, tmp: Path, issue, connections: int, count: int) -> dict:
    from epaper.models import Subscriber
    from epaper.services.sending import prepared_message

    subscriber = Subscriber.objects.order_by("pk").first()
    prepared = prepared_message(issue, "zh-hant")
    data = prepared.for_subscriber(
        subscriber=subscriber,
        newsletter=issue.newsletter,
        to=subscriber.email,
        message_id=f"<raw-{secrets.token_hex(8)}@bench.example>",
    )
    path = tmp / "message.eml"
    path.write_bytes(data)
    sink.reset()
    result = subprocess.run(
        [sys.executable, "-c", RAW_SENDER, str(path), str(sink.port), str(count), str(connections)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    if result.returncode:
        sys.exit(f"raw smtplib failed: {result.stderr[-2000:]}")
    sent, seconds, max_rss_kb = result.stdout.split()
    received, _ids, size = sink.stats()
    return {
        "count": int(sent),
        "seconds": float(seconds),
        "rss": int(max_rss_kb) / 1024,
        "received": received,
    }


def combined(*runs: dict) -> dict:
    """Runs of raw smtplib before and after the worker as one: messages over seconds."""
    count = sum(run["count"] for run in runs)
    return {
        "count": count,
        "rate": count / sum(run["seconds"] for run in runs),
        "rss": max(run["rss"] for run in runs),
        "received": sum(run["received"] for run in runs),
    }


def worker_send(env: dict, tmp: Path, sink: CountingSink, issue) -> dict:
    from celery import Celery

    from epaper.constants import TASK_SEND_DUE
    from epaper.models import DeliveryState, Issue, IssueDelivery, IssueState

    sink.reset()
    log = tmp / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "mol_portal", "worker", "--pool=solo", "-c", "1",
             "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    publisher = Celery(broker=env["REDIS_URL"], set_as_current=False)
    try:
        Issue.objects.filter(pk=issue.pk).update(state=IssueState.SCHEDULED)
        deadline = time.monotonic() + TIME_LIMIT
        publisher.send_task(TASK_SEND_DUE, queue="default")
        while not Issue.objects.filter(pk=issue.pk, state=IssueState.SENDING).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the issue did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        # The start's transaction began at started_at (the worker's clock is this machine's).
        start_seconds = time.time() - Issue.objects.get(pk=issue.pk).started_at.timestamp()
        while sink.stats()[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        first = time.perf_counter()
        first_count = sink.stats()[0]
        cpu_at_first = cpu_seconds(worker.pid)
        while not Issue.objects.filter(pk=issue.pk, state=IssueState.SENT).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the issue was not sent:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        finished = time.perf_counter()
        received, ids, size = sink.stats()
        cpu = cpu_seconds(worker.pid)
        rss = peak_rss_mb(worker.pid)
        sink_cpu = sink.cpu_seconds()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    issue.refresh_from_db()
    return {
        "start_seconds": start_seconds,
        "send_seconds": finished - first,
        "rate": (received - first_count) / (finished - first),
        "received": received,
        "ids": ids,
        "size": size / max(received, 1),
        "sent_rows": IssueDelivery.objects.filter(issue=issue, state=DeliveryState.SENT).count(),
        "issue": issue,
        "rss": rss,
        "cpu": cpu,
        "send_cpu": cpu - cpu_at_first,
        "sink_cpu": sink_cpu,
    }


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-epaper-"))
    redis, redis_port = start_redis(tmp)
    sink = CountingSink()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://portal.mol.gov.tw",
        "DJANGO_HTTPS": "0",
        "DJANGO_BEHIND_PROXY": "0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EPAPER_SMTP_CONNECTIONS": str(CONNECTIONS),
        "EPAPER_SMTP_RATE": "0",
        "EPAPER_BOUNCE_ADDRESS": "epaper-bounces@bench.example",
        "MFA_REQUIRED_FOR_STAFF": "0",
    }
    for name in ("EPAPER_SEND_BATCH", "EPAPER_SEND_SECONDS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    postgres = Postgres(DB_NAME)
    postgres.url = postgres.url.rsplit("/", 1)[0] + "/" + DB_NAME
    if not postgres.create():
        sys.exit("bench/epaper.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    try:
        step("migrate")
        manage(env, "migrate", "--noinput", "-v", "0")
        import django

        django.setup()
        step(f"{SUBSCRIBERS} subscribers")
        began = time.perf_counter()
        generate_subscribers(SUBSCRIBERS)
        generated = time.perf_counter() - began
        issue = make_issue()
        # Raw smtplib half just before and half just after the worker: the load of a shared
        # machine then weighs on both alike.
        raws: dict[int, list[dict]] = {1: [], CONNECTIONS: []}
        load = [os.getloadavg()[0]]
        for connections in raws:
            step(f"raw smtplib, {RAW // 2} messages, {connections} connection(s)")
            raws[connections].append(raw_smtplib(sink, tmp, issue, connections, RAW // 2))
        step("the worker sends the issue")
        portal = worker_send(env, tmp, sink, issue)
        for connections in raws:
            step(f"raw smtplib, {RAW // 2} messages, {connections} connection(s)")
            raws[connections].append(raw_smtplib(sink, tmp, issue, connections, RAW // 2))
        load.append(os.getloadavg()[0])
        raw_one, raw_many = combined(*raws[1]), combined(*raws[CONNECTIONS])
    finally:
        sink.stop()
        redis.terminate()
        from django.db import connections

        connections.close_all()
        postgres.drop()
        shutil.rmtree(tmp, ignore_errors=True)

    share_many = portal["rate"] / raw_many["rate"]
    share_one = portal["rate"] / raw_one["rate"]
    issue = portal["issue"]
    print(
        f"\none issue to {SUBSCRIBERS:,} subscribers; PostgreSQL ({DB_NAME}), Redis broker, "
        f"counting SMTP sink in its own process on loopback; {os.cpu_count()} CPUs, load "
        f"{load[0]:.1f} before, {load[1]:.1f} after; message {portal['size'] / 1024:.1f} KB"
    )
    print(f"{'measure':<54}{'value':>12}  target")
    print(f"{'subscribers generated (COPY) per s':<54}{SUBSCRIBERS / generated:>12,.0f}")
    print(
        f"{'start: delivery rows written per s':<54}"
        f"{issue.recipients / portal['start_seconds']:>12,.0f}"
        f"  ({portal['start_seconds']:.1f} s)"
    )
    print(f"{'raw smtplib, 1 connection: messages/s':<54}{raw_one['rate']:>12,.0f}")
    print(
        f"{f'raw smtplib, {CONNECTIONS} connections: messages/s':<54}{raw_many['rate']:>12,.0f}"
        f"  (peak RSS {raw_many['rss']:.0f} MB)"
    )
    print(
        f"{f'portal, 1 worker, {CONNECTIONS} connections: messages/s':<54}"
        f"{portal['rate']:>12,.0f}  ({portal['send_seconds']:.0f} s)"
    )
    print(
        f"{f'portal / raw smtplib ({CONNECTIONS} connections)':<54}{share_many:>11.0%}"
        f"  >= {RATE_TARGET:.0%} {'ok' if share_many >= RATE_TARGET else 'MISSED'}"
    )
    print(f"{'portal / raw smtplib (1 connection)':<54}{share_one:>11.0%}")
    print(
        f"{'worker peak RSS (VmHWM), MB':<54}{portal['rss']:>12.0f}"
        f"  < {RSS_TARGET_MB} MB {'ok' if portal['rss'] < RSS_TARGET_MB else 'MISSED'}"
    )
    print(
        f"{'worker CPU seconds per 1000 messages (sending)':<54}"
        f"{portal['send_cpu'] / max(portal['received'], 1) * 1000:>12.3f}"
    )
    print(
        f"{'worker CPU share of one core while sending':<54}"
        f"{portal['send_cpu'] / portal['send_seconds']:>11.0%}"
    )
    problems = []
    if issue.state != "sent":
        problems.append(f"the issue ended {issue.state}")
    if portal["sent_rows"] != SUBSCRIBERS:
        problems.append(f"{portal['sent_rows']} of {SUBSCRIBERS} rows sent")
    if portal["received"] != SUBSCRIBERS or portal["ids"] != SUBSCRIBERS:
        problems.append(
            f"the sink received {portal['received']} messages with {portal['ids']} distinct "
            f"Message-IDs for {SUBSCRIBERS} subscribers"
        )
    if raw_one["received"] != raw_one["count"]:
        problems.append("raw smtplib: the sink did not count every message")
    for problem in problems:
        print("  !", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
