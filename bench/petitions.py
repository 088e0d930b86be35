"""Benchmark: sustained public petition submissions through gunicorn on PostgreSQL, and
concurrent document-number allocation.

1. Submissions: gunicorn (2 sync workers) on a free loopback port against its own database
   ``mol_bench_petitions`` (dropped and created anew), rate limiter off
   (PETITIONS_RATE_LIMIT_ENABLED=0), Celery eager, console e-mail backend (the mails land in the
   gunicorn log, where phase 2 reads the confirmation links). BENCH_CLIENTS client sessions
   (default 6) each GET the form once (CSRF cookie + token), then POST the form with a unique
   marker in the subject for BENCH_SECONDS (default 60) or BENCH_MAX_SUBMISSIONS in total.
   Accepted = 302 to the "please confirm" page. Afterwards every accepted marker must exist
   exactly once in the database.
2. Confirmations: BENCH_CONFIRM (default 300) of the accepted petitions are confirmed over HTTP
   by the e-mailed link; their case numbers must be unique and gap-free (1..n of the year).
   Confirmation hashes the query code with the password hasher (Argon2), so it is far slower
   than submission by design; it is measured, not held to the target.
3. Document numbers: BENCH_ALLOCATIONS (default 500) allocations through
   ``core.sequences.next_value`` (the counter behind document and case numbers) from
   BENCH_ALLOC_THREADS (default 50, below PostgreSQL's 100 connections) threads, each with its
   own connection and transaction; the serials must be exactly 1..500.

Only 127.0.0.1; every loop is bounded in count and time. Exit code 1 on any loss, duplicate,
gap or failed request.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import django
from django.db import connection, connections, transaction
from django.db.models import Count

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Gunicorn, Postgres, manage  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "6"))
MAX_SUBMISSIONS = int(os.environ.get("BENCH_MAX_SUBMISSIONS", "20000"))
CONFIRM = int(os.environ.get("BENCH_CONFIRM", "300"))
ALLOCATIONS = int(os.environ.get("BENCH_ALLOCATIONS", "500"))
ALLOC_THREADS = int(os.environ.get("BENCH_ALLOC_THREADS", "50"))
TARGET = 100.0
UK_PEAK = 33.0
DB_NAME = "mol_bench_petitions"


class Session:
    """One citizen's browser: keep-alive connection, cookies, CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, body: str | None = None):
        headers = {"Accept-Language": "zh-Hant", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def fetch_form(self, path: str) -> None:
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        self.token = (
            re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data).group(1).decode()
        )


def submissions(port: int, category: str, county: str) -> dict:
    accepted: list[str] = []
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS
    counter = iter(range(MAX_SUBMISSIONS))

    def client(n: int):
        session = Session(port)
        session.fetch_form("/petitions/")
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            marker = f"bench-{n}-{i}-{secrets.token_hex(4)}"
            body = urlencode({
                "csrfmiddlewaretoken": session.token, "name": f"壓測民眾{i}",
                "email": f"c{n}-{i}@bench.example", "phone": "", "subject": marker,
                "category": category, "county": county, "consent": "on", "website": "",
                "body": f"第{i}號壓測陳情：雇主未給付加班費，請協助處理。{secrets.token_hex(8)}",
            })  # fmt: skip
            started = time.perf_counter()
            status, data = session.request("POST", "/petitions/", body)
            elapsed = time.perf_counter() - started
            with lock:
                if status == 302:
                    accepted.append(marker)
                    latencies.append(elapsed)
                else:
                    failures.append(f"HTTP {status}: {data[:200]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "accepted": accepted,
        "failures": failures,
        "rps": len(accepted) / wall,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "wall": wall,
    }


def confirmations(port: int, log: Path, limit: int) -> dict:
    links = re.findall(
        r"http://127\.0\.0\.1(?::\d+)?(/petitions/confirm/[A-Za-z0-9_-]+/)", log.read_text()
    )
    links = list(dict.fromkeys(links))[:limit]
    done: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    work = iter(links)

    def client():
        session = Session(port)
        session.fetch_form("/petitions/progress/")
        while True:
            with lock:
                link = next(work, None)
            if link is None:
                return
            started = time.perf_counter()
            status, data = session.request(
                "POST", link, urlencode({"csrfmiddlewaretoken": session.token})
            )
            with lock:
                if status == 200:
                    done.append(time.perf_counter() - started)
                else:
                    failures.append(f"HTTP {status}: {data[:200]!r}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cuts = statistics.quantiles(done, n=100) if len(done) > 1 else [0] * 99
    return {"links": len(links), "confirmed": len(done), "failures": failures,
            "rps": len(done) / wall if wall else 0, "p95": cuts[94] * 1000}  # fmt: skip


def allocations() -> dict:
    from core.sequences import next_value  # noqa: PLC0415 - after django.setup() in main()

    year = 999  # a year no real number uses
    serials: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_thread = [ALLOCATIONS // ALLOC_THREADS + (1 if n < ALLOCATIONS % ALLOC_THREADS else 0)
                  for n in range(ALLOC_THREADS)]  # fmt: skip
    barrier = threading.Barrier(ALLOC_THREADS)

    def worker(count: int):
        try:
            barrier.wait(timeout=60)
            for _ in range(count):
                with transaction.atomic():
                    serial = next_value(scope="bench:allocations", year=year)
                with lock:
                    serials.append(serial)
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c,)) for c in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    wall = time.monotonic() - started
    ok = sorted(serials) == list(range(1, ALLOCATIONS + 1)) and not errors
    return {"count": len(serials), "unique": len(set(serials)), "ok": ok, "errors": errors,
            "rps": len(serials) / wall}  # fmt: skip


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-petitions-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
        "PETITIONS_RATE_LIMIT_ENABLED": "0",
    }
    postgres = Postgres(DB_NAME)
    postgres.name = DB_NAME
    postgres.url = postgres.url.rsplit("/", 1)[0] + "/" + DB_NAME
    postgres.drop()
    if not postgres.create():
        sys.exit("bench/petitions.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        django.setup()
        from core.models import County  # noqa: PLC0415 - needs django.setup() above
        from petitions.models import Category, Petition  # noqa: PLC0415 - as above

        category = Category.objects.create(code="bench", name_zh="壓測", name_en="Bench")
        county = County.objects.order_by("pk").first()
        log = tmp / "portal.log"
        server = Gunicorn("mol_portal.wsgi:application", env, log)
        sub = submissions(server.port, str(category.pk), str(county.pk))
        markers = sub["accepted"]
        in_db = dict(
            Petition.objects.filter(subject__startswith="bench-")
            .values_list("subject")
            .annotate(n=Count("id"))
        )
        lost = [m for m in markers if in_db.get(m, 0) == 0]
        doubled = [m for m, n in in_db.items() if n > 1]
        extra = set(in_db) - set(markers)
        conf = confirmations(server.port, log, CONFIRM)
        numbers = list(Petition.objects.exclude(case_number=None).values_list("serial", flat=True))
        numbers_ok = (
            sorted(numbers) == list(range(1, len(numbers) + 1))
            and len(numbers) == conf["confirmed"]
        )
        server.stop()
        server = None
        alloc = allocations()
    finally:
        if server:
            server.stop()
        connections.close_all()
        postgres.drop()

    print(f"\ngunicorn 2 sync workers, PostgreSQL ({DB_NAME}), Celery eager, rate limiter off; "
          f"{CLIENTS} client sessions for {sub['wall']:.0f} s")  # fmt: skip
    print(f"{'measure':<38}{'value':>12}{'vs target 100/s':>18}{'vs UK peak 33/s':>18}")
    print(f"{'submissions accepted/s':<38}{sub['rps']:>12.1f}{sub['rps'] / TARGET:>17.2f}x"
          f"{sub['rps'] / UK_PEAK:>17.2f}x")  # fmt: skip
    print(f"{'submission p50 / p95 ms':<38}{sub['p50']:>6.0f}/{sub['p95']:<5.0f}")
    print(f"{'accepted / refused requests':<38}{len(markers):>6}/{len(sub['failures']):<5}")
    print(f"{'lost / duplicated / unexpected in DB':<38}{len(lost):>4}/{len(doubled)}/{len(extra)}")
    print(f"{'confirmations by link (Argon2) /s':<38}{conf['rps']:>12.1f}   "
          f"({conf['confirmed']}/{conf['links']} links, p95 {conf['p95']:.0f} ms)")  # fmt: skip
    print(f"{'case numbers unique and gap-free':<38}{'yes' if numbers_ok else 'NO':>12}")
    print(f"{'document numbers: allocations':<38}{alloc['count']:>12}   "
          f"({ALLOC_THREADS} threads, {alloc['rps']:.0f}/s)")  # fmt: skip
    print(f"{'document numbers: no gap, no duplicate':<38}{'yes' if alloc['ok'] else 'NO':>12}")
    for problem in sub["failures"][:3] + conf["failures"][:3] + alloc["errors"][:3]:
        print("  !", problem)
    bad = lost or doubled or extra or sub["failures"] or conf["failures"] or not numbers_ok
    return 1 if bad or not alloc["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
