"""Benchmark: /healthz and the public home page under gunicorn, against a bare Django view.

Starts two gunicorns (2 sync workers each) on free loopback ports: the portal with
production-like settings (PostgreSQL in a throwaway database when a server answers on
127.0.0.1:5432 or at DATABASE_URL's host, else SQLite; Redis cache when REDIS_URL is set;
collected, hashed static files; DEBUG off), and bench/_bare_wsgi.py, a Django project with one
JSON view, as the baseline. Each endpoint gets a bounded number of requests from a small
thread pool for a few seconds; the table shows requests/s, p50/p95 latency and the ratio to
the bare view. Exits non-zero when an endpoint answers anything but 200.

Celery runs eagerly here, so /healthz measures the database and cache probes and Django's own
overhead. With a real broker /healthz also pings the workers: it returns at the first reply
(``limit=1``), and waits the whole HEALTHZ_TIMEOUT only when no worker answers.

Knobs: BENCH_SECONDS per endpoint (default 5), BENCH_THREADS (default 4),
BENCH_MAX_REQUESTS per endpoint (default 5000).
"""

from __future__ import annotations

import http.client
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "5000"))
WARMUP = 20
BASELINE = "bare view (baseline)"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Gunicorn, Postgres, manage  # noqa: E402


def get(port: int, path: str) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Accept-Language": "zh-Hant"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, time.perf_counter() - started, body


def measure(port: int, path: str) -> dict:
    for _ in range(WARMUP):
        status, _, body = get(port, path)
        if status != 200:
            return {"error": f"HTTP {status}: {body[:300]!r}"}
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client():
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) + len(failures) >= MAX_REQUESTS:
                    return
            status, elapsed, _ = get(port, path)
            with lock:
                (latencies if status == 200 else failures).append(
                    elapsed if status == 200 else status
                )

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    if failures or not latencies:
        return {"error": f"{len(failures)} failed requests (statuses {sorted(set(failures))})"}
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
    }


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",  # plain HTTP on loopback; a proxy terminates TLS in production
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    postgres = Postgres()
    use_postgres = postgres.create()
    if use_postgres:
        env["DATABASE_URL"] = postgres.url
    servers: list[Gunicorn] = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        portal = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log")
        servers.append(portal)
        bare_env = {"PATH": env["PATH"]}
        bare = Gunicorn("_bare_wsgi:application", bare_env, tmp / "bare.log",
                        "--pythonpath", str(ROOT / "bench"))  # fmt: skip
        servers.append(bare)
        cases = [
            (BASELINE, bare.port, "/bare"),
            ("/healthz", portal.port, "/healthz"),
            ("/ (public home)", portal.port, "/"),
        ]
        results = {name: measure(port, path) for name, port, path in cases}
    finally:
        for server in servers:
            server.stop()
        if use_postgres:
            postgres.drop()

    database = "PostgreSQL" if use_postgres else "SQLite"
    cache = "Redis" if "REDIS_URL" in env else "local memory"
    print(
        f"\ngunicorn 2 sync workers each; {THREADS} client threads, {SECONDS:g} s per endpoint; "
        f"database {database}, cache {cache}, Celery eager"
    )
    base = results[BASELINE]
    header = ("requests", "req/s", "p50 ms", "p95 ms")
    print(f"{'endpoint':<24}" + "".join(f"{h:>9}" for h in header) + f"{'req/s vs bare':>15}")
    failed = False
    for name, result in results.items():
        if "error" in result:
            failed = True
            print(f"{name:<24} FAILED: {result['error']}")
            continue
        ratio = f"{result['rps'] / base['rps']:.2f}x" if "rps" in base else "-"
        print(
            f"{name:<24}{result['requests']:>9}{result['rps']:>9.0f}{result['p50']:>9.1f}"
            f"{result['p95']:>9.1f}{ratio:>15}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
