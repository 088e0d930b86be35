"""Benchmark: the single sign-on under gunicorn on PostgreSQL, next to a bare Django view.

What it measures, each for a bounded number of requests over a few seconds:

* client-credentials token grant  ``POST /o/token/`` (HTTP Basic client authentication)
* token introspection (RFC 7662)  ``POST /o/introspect/`` (HTTP Basic, the client's own token)
* userinfo                        ``GET /o/userinfo/`` (a user's bearer token, all scopes)
* password login                  ``POST /accounts/login/`` (Argon2, the configured hasher)
* the bare view                   ``GET /bare`` (bench/_bare_wsgi.py: Django, no apps, no
                                  middleware, no database), served the same way, as baseline.

Setup: a database ``mol_bench_sso`` on the local PostgreSQL server (re-created, migrated,
dropped at the end), the portal's own settings in production mode (DEBUG off, Redis cache when
REDIS_URL is set, Celery eager), a confidential client-credentials application, a
confidential authorization-code application with a user and an access token. Only 127.0.0.1.

Per core: each gunicorn runs ``BENCH_WORKERS`` sync workers (default 1: a sync worker is one
process on one core, and the load generator needs the other cores of this machine). The table
gives requests/s and, as the per-core rate, requests per CPU-second the gunicorn workers
actually used (read from /proc), which is what one core sustains. PostgreSQL's own CPU is not
counted (Keycloak's published figures do not count its database either). Targets: 240 grants
and 600 introspections per second per core, and at least Keycloak's 15 password logins per
second per vCPU.

Knobs: BENCH_SECONDS per endpoint (default 5), BENCH_THREADS client threads (default 4),
BENCH_MAX_REQUESTS per endpoint (default 5000), BENCH_WORKERS (default 1), DATABASE_URL (the
server to use; its database name is replaced), REDIS_URL. Exits non-zero when an endpoint
answers an unexpected status (missing a target is reported, not an error).
"""

from __future__ import annotations

import base64
import http.client
import json
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

import argon2
from django.contrib.auth.hashers import Argon2PasswordHasher

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "5000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
DB_NAME = "mol_bench_sso"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Gunicorn, Postgres, manage  # noqa: E402

WARMUP = 20
BASELINE = "bare view (baseline)"

# endpoint -> (target per core, what the target is)
TARGETS = {
    "token grant (client credentials)": (240, "≥ 240/s/core (2× Keycloak)"),
    "introspection": (600, "≥ 600/s/core"),
    "password login (Argon2)": (15, "≥ 15/s/vCPU (Keycloak)"),
}

SETUP = """
import json, secrets
from datetime import timedelta
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value
from accounts.models import Application, User
from core.models import Organization

password = "bench-" + secrets.token_urlsafe(12)
cc_secret = secrets.token_urlsafe(48)
service = Application(name="bench service", client_type="confidential",
    authorization_grant_type="client-credentials", client_secret=cc_secret,
    algorithm="RS256")
service.full_clean(); service.save()
web = Application(name="bench web", client_type="confidential",
    authorization_grant_type="authorization-code", redirect_uris="https://bench.invalid/cb",
    client_secret=secrets.token_urlsafe(48), algorithm="RS256", is_internal=True,
    skip_authorization=True)
web.full_clean(); web.save()
unit = Organization.objects.filter(code="IM").first()
user = User(username="bench.user", employee_number="B0001", name_zh="測試員",
    name_en="Bench User", email="bench@example.gov.tw", organization=unit,
    password_changed_at=timezone.now())
user.set_password(password); user.save()
raw = secrets.token_urlsafe(30)
token = AccessToken(user=user, application=web, scope="openid profile email roles",
    expires=timezone.now() + timedelta(hours=2))
set_token_value(token, raw); token.save()
print("BENCH" + json.dumps({"client_id": service.client_id, "secret": cc_secret,
    "user_token": raw, "username": user.username, "password": password,
    "hasher": user.password.split("$", 1)[0]}))
"""


class Request:
    """One kind of request: method, path, headers, body and the status that means success."""

    def __init__(self, method, path, *, headers=None, body=None, expect=200):
        self.method, self.path, self.expect = method, path, expect
        self.headers = {"Accept-Language": "zh-Hant", **(headers or {})}
        self.body = body

    def send(self, port: int) -> tuple[int, float, bytes]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(self.method, self.path, body=self.body, headers=self.headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return response.status, time.perf_counter() - started, body


def measure(server: Gunicorn, request: Request) -> dict:
    for _ in range(WARMUP):
        status, _, body = request.send(server.port)
        if status != request.expect:
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
            status, elapsed, _ = request.send(server.port)
            with lock:
                if status == request.expect:
                    latencies.append(elapsed)
                else:
                    failures.append(status)

    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cpu = server.cpu_seconds() - cpu_before
    if failures or not latencies:
        return {"error": f"{len(failures)} failed requests (statuses {sorted(set(failures))})"}
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "per_core": len(latencies) / cpu if cpu > 0 else float("nan"),
        "cpu": cpu,
        "p95": cuts[94] * 1000,
    }


def login_request(port: int, username: str, password: str) -> Request:
    """A login POST with a valid CSRF cookie and token (fetched once; the session cookie is
    never sent back, so every request is a fresh login)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = response.msg.get_all("Set-Cookie") or []
    conn.close()
    csrf_cookie = next(c.split(";", 1)[0] for c in cookies if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    return Request(
        "POST",
        "/accounts/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": csrf_cookie,
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
        body=body,
        expect=302,
    )


def argon2_costs() -> list[tuple[str, float]]:
    """CPU milliseconds of one Argon2 verification: Django's stock parameters, and what the
    portal is configured with (ARGON2_* settings; OWASP's baseline 19 MiB, 2 passes, 1 lane by
    default, see accounts/hashers.py)."""
    rows = []
    for label, time_cost, memory_cost, parallelism in (
        (
            "Django's stock parameters",
            Argon2PasswordHasher.time_cost,
            Argon2PasswordHasher.memory_cost,
            Argon2PasswordHasher.parallelism,
        ),
        (
            "configured (ARGON2_* settings)",
            int(os.environ.get("ARGON2_TIME_COST") or 2),
            int(os.environ.get("ARGON2_MEMORY_KIB") or 19456),
            int(os.environ.get("ARGON2_PARALLELISM") or 1),
        ),
    ):
        hasher = argon2.PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        encoded = hasher.hash("correct-horse-battery-9")
        started = time.process_time()
        for _ in range(5):
            hasher.verify(encoded, "correct-horse-battery-9")
        cost = (time.process_time() - started) / 5 * 1000
        rows.append((f"{label}: m={memory_cost // 1024} MiB t={time_cost} p={parallelism}", cost))
    return rows


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-sso-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",  # plain HTTP on loopback; a proxy terminates TLS in production
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    postgres = Postgres(DB_NAME)
    env["DATABASE_URL"] = postgres.url
    setup_started = time.monotonic()
    if not postgres.create():
        sys.exit("This benchmark needs PostgreSQL.")
    servers: list[Gunicorn] = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        out = manage(env, "shell", "-c", SETUP)
        data = json.loads(out[out.index("BENCH") + 5 :].strip().splitlines()[0])
        portal = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log", workers=WORKERS)
        servers.append(portal)
        bare = Gunicorn("_bare_wsgi:application", {"PATH": env["PATH"]}, tmp / "bare.log",
                        "--pythonpath", str(ROOT / "bench"), workers=WORKERS)  # fmt: skip
        servers.append(bare)
        setup_seconds = time.monotonic() - setup_started

        basic = (
            "Basic " + base64.b64encode(f"{data['client_id']}:{data['secret']}".encode()).decode()
        )
        form = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic}
        status, _, body = Request(
            "POST", "/o/token/", headers=form, body="grant_type=client_credentials"
        ).send(portal.port)
        if status != 200:
            sys.exit(f"could not get a client-credentials token: HTTP {status} {body[:300]!r}")
        cc_token = json.loads(body)["access_token"]
        cases = [
            (BASELINE, bare, Request("GET", "/bare")),
            (
                "token grant (client credentials)",
                portal,
                Request("POST", "/o/token/", headers=form, body="grant_type=client_credentials"),
            ),
            (
                "introspection",
                portal,
                Request(
                    "POST", "/o/introspect/", headers=form, body=urlencode({"token": cc_token})
                ),
            ),
            (
                "userinfo",
                portal,
                Request(
                    "GET", "/o/userinfo/", headers={"Authorization": f"Bearer {data['user_token']}"}
                ),
            ),
            (
                "password login (Argon2)",
                portal,
                login_request(portal.port, data["username"], data["password"]),
            ),
        ]
        results = {name: measure(server, request) for name, server, request in cases}
    finally:
        for server in servers:
            server.stop()
        postgres.drop()

    cache = "Redis" if "REDIS_URL" in env else "local memory"
    print(
        f"\ngunicorn {WORKERS} sync worker(s) each on {os.cpu_count()} cores; {THREADS} client "
        f"threads, {SECONDS:g} s per endpoint; PostgreSQL {DB_NAME}, cache {cache}, Celery eager; "
        f"password hasher {data['hasher']}; setup {setup_seconds:.0f} s"
    )
    print("per-core = requests per CPU-second of the gunicorn workers (PostgreSQL not counted)\n")
    base = results[BASELINE]
    header = f"{'endpoint':<34}{'requests':>9}{'req/s':>8}{'per-core':>10}{'p95 ms':>8}"
    print(header + f"{'vs bare':>9}  target")
    failed = False
    for name, result in results.items():
        if "error" in result:
            failed = True
            print(f"{name:<34} FAILED: {result['error']}")
            continue
        ratio = f"{result['rps'] / base['rps']:.2f}x" if "rps" in base else "-"
        target = ""
        if name in TARGETS:
            goal, text = TARGETS[name]
            verdict = "met" if result["per_core"] >= goal else "NOT MET"
            target = f"{text}: {verdict}"
        print(
            f"{name:<34}{result['requests']:>9}{result['rps']:>8.0f}{result['per_core']:>10.0f}"
            f"{result['p95']:>8.1f}{ratio:>9}  {target}"
        )
    print("\nArgon2 verification alone (CPU ms each, and the logins/s one core could do at most):")
    for label, cost in argon2_costs():
        print(f"  {label:<44}{cost:>8.1f} ms {1000 / cost:>8.0f}/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
