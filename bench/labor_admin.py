# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of the labour-administration platform at national volume, on PostgreSQL.

Setup: a throwaway database ``mol_bench_labor_admin`` (dropped and created anew), migrated,
the shipped units loaded and topped up to BENCH_UNITS (default 97) local units, then
BENCH_CASES (default 5,000,000) cases over the last five years written by one
``INSERT … SELECT`` from ``generate_series`` (random unit, type, industry and received day;
70 % of the cases older than 60 days closed after 1–60 days, the rest open, some overdue),
numbered per unit and ROC year like the service does, then ``VACUUM ANALYZE``; the board's
counters are then rebuilt from those cases (``counters_rebuild``, what ``manage.py
rebuild_labor_counters`` runs), and the board's open total is checked against a direct count.

1. National board: ``selectors.board`` for a ministry reader (every case), BENCH_RUNS times
   (default 30): p50/p95 ms. Target p95 < 200 ms.
2. A unit's filtered case list: what ``/labor-admin/?case_type=MED&open=1`` runs for a case
   officer of one unit (the count and the first page of 25), BENCH_RUNS times with a
   different unit each time. Target p95 < 100 ms.
3. Intake through the API via gunicorn (2 sync workers): BENCH_CLIENTS (default 4) threads
   POST ``/api/v1/labor-admin/cases/`` with a client-credentials token of an API client bound
   to one unit for BENCH_SECONDS (default 20), each request on a new connection; the bare
   Django JSON view (``bench/_bare_wsgi.py``) is driven the same way in the same run. Target:
   intake requests/s at least 0.3 × the bare view's. Afterwards every accepted case must be
   in the database once with a unique number.

Only 127.0.0.1; every loop is bounded. Exit code 1 when a check fails.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Gunicorn, Postgres, manage, percentile  # noqa: E402
from _common import drive as common_drive  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "5000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "97"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
DB_NAME = "mol_bench_labor_admin"
BOARD_TARGET_MS = 200
LIST_TARGET_MS = 100
INTAKE_RATIO_TARGET = 0.3
SECRET = "bench-labour-client-secret-0123456789"  # noqa: S105 - a throwaway bench client

GENERATE = """
WITH u AS (SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, code, county_id
           FROM core_organization WHERE code = ANY(%(units)s)),
     t AS (SELECT row_number() OVER (ORDER BY ct.id) - 1 AS idx, ct.id, ct.deadline_days,
                  (SELECT s.id FROM labor_admin_casestatus s
                   WHERE s.case_type_id = ct.id AND s.is_initial) AS initial_id,
                  (SELECT s.id FROM labor_admin_casestatus s
                   WHERE s.case_type_id = ct.id AND s.is_final ORDER BY s.sort_order LIMIT 1)
                  AS final_id
           FROM labor_admin_casetype ct),
     d AS (SELECT row_number() OVER (ORDER BY d.id) - 1 AS idx, d.id, s.code AS sector
           FROM labor_admin_industrydivision d JOIN labor_admin_industrysector s
           ON s.id = d.sector_id),
     g AS (SELECT i,
                  (floor(random() * (SELECT count(*) FROM u)))::int AS ui,
                  (floor(random() * (SELECT count(*) FROM t)))::int AS ti,
                  (floor(random() * (SELECT count(*) FROM d)))::int AS di,
                  %(today)s::date - (floor(random() * 1826))::int AS recv,
                  random() AS r, (1 + floor(random() * 60))::int AS days
           FROM generate_series(1, %(n)s) AS i),
     c AS (SELECT g.*, u.id AS unit_id, u.code AS unit_code, u.county_id,
                  t.id AS type_id, t.deadline_days, t.initial_id, t.final_id,
                  d.id AS division_id, d.sector,
                  (extract(year FROM g.recv)::int - 1911) AS roc,
                  (g.recv < %(today)s::date - 60 AND g.r < 0.97) OR g.r < 0.3 AS closed
           FROM g JOIN u ON u.idx = g.ui JOIN t ON t.idx = g.ti JOIN d ON d.idx = g.di),
     n AS (SELECT c.*, row_number() OVER (PARTITION BY c.unit_id, c.roc ORDER BY c.recv, c.i)
                  AS serial FROM c)
INSERT INTO labor_admin_case (
    created_at, updated_at, number, year, serial, case_type_id, unit_id, county_id,
    received_on, subject, applicant_name, applicant_phone, employer_name,
    employer_business_id, industry_id, industry_sector, data, status_id, is_open, due_on,
    closed_on, handling_days, outcome, source, external_id)
SELECT now(), now(),
       n.unit_code || '-' || lpad(n.roc::text, 3, '0') || '-' || lpad(n.serial::text, 6, '0'),
       n.roc, n.serial, n.type_id, n.unit_id, n.county_id, n.recv, '壓測案件 ' || n.i,
       '王小明', '', '壓測股份有限公司', '10458575', n.division_id, n.sector, '{}'::jsonb,
       CASE WHEN n.closed THEN n.final_id ELSE n.initial_id END, NOT n.closed,
       n.recv + n.deadline_days,
       CASE WHEN n.closed THEN least(n.recv + n.days, %(today)s::date) END,
       CASE WHEN n.closed THEN least(n.recv + n.days, %(today)s::date) - n.recv END,
       '', 'demo', ''
FROM n
"""


def timed(func, runs: int) -> list[float]:
    out = []
    for n in range(runs):
        started = time.perf_counter()
        func(n)
        out.append((time.perf_counter() - started) * 1000)
    return out


def load(today) -> list:
    from django.db import connection

    from core.choices import OrganizationKind
    from core.models import County, Organization
    from core.services import organization_upsert
    from labor_admin.services import DEFAULT_FILE, labor_units_load
    from labor_admin.services.counters import counters_rebuild

    labor_units_load(text=DEFAULT_FILE.read_text("utf-8"))
    counties = list(County.objects.order_by("sort_order"))
    local = list(Organization.objects.filter(code__startswith="LA").values_list("code", flat=True))
    n = 0
    while len(local) < UNITS:
        county = counties[n % len(counties)]
        code = f"LA{county.code}-B{n:02d}"
        organization_upsert(
            code=code,
            name_zh=f"{county.name_zh}勞工服務站{n}",
            name_en="",
            kind=OrganizationKind.LOCAL_OFFICE,
            parent=Organization.objects.get(code=f"LA{county.code}"),
            county=county,
        )
        local.append(code)
        n += 1
    local = local[:UNITS]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(GENERATE, {"units": local, "today": today, "n": CASES})
        cursor.execute(
            "INSERT INTO core_sequence (scope, year, last_value) "
            "SELECT 'labor_admin:' || unit_id, year, max(serial) FROM labor_admin_case "
            "GROUP BY unit_id, year ON CONFLICT (scope, year) DO UPDATE "
            "SET last_value = EXCLUDED.last_value"
        )
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labor_admin_case")
    started = time.perf_counter()
    days, open_rows = counters_rebuild()  # what manage.py rebuild_labor_counters runs
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labor_admin_casedaycount")
        cursor.execute("VACUUM ANALYZE labor_admin_caseopencount")
    print(
        f"{CASES:,} cases over {len(local)} units written in {written:.0f} s; board counters "
        f"({days:,} + {open_rows:,} rows) rebuilt in {time.perf_counter() - started:.0f} s"
    )
    return local


def post_cases(port: int, token: str, seconds: float) -> dict:
    body = json.dumps({
        "case_type": "MED", "subject": "壓測資遣費爭議", "applicant_name": "林小華",
        "employer_name": "大同製造股份有限公司", "employer_business_id": "88117125",
        "industry": "25", "data": {"dispute_kind": "severance", "workers": 2},
    }).encode()  # fmt: skip
    return drive(port, "POST", "/api/v1/labor-admin/cases/", body, token, 201, seconds)


def drive(port, method, path, body, token, expect, seconds) -> dict:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body:
        headers["Content-Type"] = "application/json"
    keep = (lambda data: json.loads(data)["id"]) if method == "POST" else None
    result = common_drive(port, method, path, seconds=seconds, clients=CLIENTS, headers=headers,
                          body=body, expect=expect, keep=keep)  # fmt: skip
    result["ids"] = result.pop("kept")
    return result


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-labor-"))
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
    }
    postgres = Postgres(DB_NAME)
    postgres.url = postgres.url.rsplit("/", 1)[0] + "/" + DB_NAME
    if not postgres.create():
        sys.exit("bench/labor_admin.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    servers = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        django.setup()
        from django.db import connections
        from django.test import Client
        from django.utils import timezone

        from accounts.models import Application, Role, RoleAssignment, User
        from core.models import Organization
        from labor_admin.constants import ROLE_CLERK, ROLE_VIEWER
        from labor_admin.models import ApiClient, Case
        from labor_admin.selectors import board, case_list

        today = timezone.localdate()
        units = load(today)
        ministry = User.objects.create(username="bench.ministry", name_zh="部")
        RoleAssignment.objects.create(
            user=ministry, role=Role.objects.get(code=ROLE_VIEWER, application__isnull=True)
        )
        clerks = []
        for code in units[:RUNS]:
            user = User.objects.create(username=f"bench.{code}", name_zh="承辦")
            RoleAssignment.objects.create(
                user=user,
                role=Role.objects.get(code=ROLE_CLERK, application__isnull=True),
                scope=Organization.objects.get(code=code),
                include_subunits=False,
            )
            clerks.append(user)

        def fresh(user):
            return User.objects.get(pk=user.pk)  # a new request's user: no role cache

        warm = board(fresh(ministry))  # warm the connection and the caches of the database
        counters_ok = warm["total"]["open"] == Case.objects.filter(is_open=True).count()
        board_ms = timed(lambda n: board(fresh(ministry)), RUNS)

        def unit_list(n):
            qs = case_list(fresh(clerks[n % len(clerks)]), filters={"case_type": "MED",
                                                                     "open": True})  # fmt: skip
            qs.count()
            list(qs.order_by("-received_on", "-id")[:25])

        list_ms = timed(unit_list, RUNS)

        app = Application.objects.create(
            name="bench county system",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=SECRET,
            redirect_uris="",
        )
        intake_unit = Organization.objects.get(code=units[0])
        ApiClient.objects.create(application=app, unit=intake_unit)
        response = Client(HTTP_HOST="127.0.0.1").post(
            "/o/token/",
            {"grant_type": "client_credentials", "client_id": app.client_id,
             "client_secret": SECRET},
        )  # fmt: skip
        token = response.json()["access_token"]
        before = Case.objects.filter(unit=intake_unit).count()
        connections.close_all()

        bare = Gunicorn("_bare_wsgi:application", {"PATH": env["PATH"]}, tmp / "bare.log",
                        "--pythonpath", str(Path(__file__).resolve().parent))  # fmt: skip
        servers.append(bare)
        portal = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log")
        servers.append(portal)
        half = SECONDS / 2
        bare_a = drive(bare.port, "GET", "/bare", None, None, 200, half)
        intake = post_cases(portal.port, token, SECONDS)
        bare_b = drive(bare.port, "GET", "/bare", None, None, 200, half)
        bare_rps = (bare_a["rps"] + bare_b["rps"]) / 2
        after = Case.objects.filter(unit=intake_unit).count()
        numbers = list(Case.objects.filter(pk__in=intake["ids"]).values_list("number", flat=True))
    finally:
        for server in servers:
            server.stop()
        from django.db import connections

        connections.close_all()
        postgres.drop()

    ratio = intake["rps"] / bare_rps if bare_rps else 0.0
    stored_ok = (
        after - before == intake["count"] == len(numbers) == len(set(numbers))
        and not intake["failures"]
    )
    board_p95 = percentile(board_ms, 0.95)
    list_p95 = percentile(list_ms, 0.95)
    print(f"\nPostgreSQL ({DB_NAME}), {CASES:,} cases, {len(units)} units; "
          f"gunicorn 2 sync workers, {CLIENTS} clients, Connection: close")  # fmt: skip
    print(f"{'measure':<44}{'p50':>9}{'p95':>9}{'target':>12}")
    print(f"{'national board (selectors.board), ms':<44}{statistics.median(board_ms):>9.1f}"
          f"{board_p95:>9.1f}{'< 200':>12}")  # fmt: skip
    print(f"{'unit filtered list (count + page), ms':<44}{statistics.median(list_ms):>9.1f}"
          f"{list_p95:>9.1f}{'< 100':>12}")  # fmt: skip
    print(f"{'API intake requests/s (p95 ms)':<44}{intake['rps']:>9.1f}{intake['p95']:>9.0f}")
    print(f"{'bare Django view requests/s':<44}{bare_rps:>9.1f}")
    print(f"{'intake / bare':<44}{ratio:>9.2f}{'':>9}{'>= 0.30':>12}")
    print(f"{'accepted cases stored once, unique numbers':<44}{'yes' if stored_ok else 'NO':>9}")
    print(f"{'board open total = direct count':<44}{'yes' if counters_ok else 'NO':>9}")
    if intake["failures"]:
        print("failures:", intake["failures"][:5])
    met = board_p95 < BOARD_TARGET_MS and list_p95 < LIST_TARGET_MS
    met = met and ratio >= INTAKE_RATIO_TARGET
    print("targets met" if met else "targets NOT met")
    return 0 if stored_ok and counters_ok else 1


if __name__ == "__main__":
    sys.exit(main())
