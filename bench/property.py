# ruff: noqa: PLC0415, S608, E501 - Django imports wait for django.setup(); the generated SQL interpolates only integers the script computed
"""Benchmark of the property register at ministry volume, on PostgreSQL.

Setup: a throwaway database ``mol_bench_property`` (dropped and created anew), migrated, the
six agencies of the reference tree topped up to BENCH_AGENCIES (default 17), then
BENCH_ITEMS (default 100,000) items per agency written by ``INSERT … SELECT`` from
``generate_series`` (a random seeded classification, acquisition day over the last five years,
cost NT$10,000–2,000,000), each with its acquisition posting, and for one item in five a
second movement posting (value increase, scrap, loss or transfer out) later in the period;
one custodian holds BENCH_CUSTODY (default 2,000) items, the rest are spread over 1,000
people; then ``VACUUM ANALYZE``.

Measured in a fresh child process (so its peak memory is the job's alone):

1. The consolidated 增減結存表 over every agency for the last five years, as the Celery job
   builds it (``consolidation_build``: the ledger aggregated per agency, the PDF and the XLSX):
   seconds and peak RSS. Targets: under 60 s and under 500 MB.
2. "My custody" (``/property/``) for the custodian of BENCH_CUSTODY items, BENCH_RUNS
   (default 30) requests through Django's test client: p50/p95 ms. Target p95 < 100 ms.
3. The filtered item list (``/property/items/?register=property&status=in_use&classification=…``)
   for a superuser who sees all items, BENCH_RUNS requests with a different classification
   each: p50/p95 ms. Target p95 < 300 ms.

Only 127.0.0.1; every loop is bounded. Exit code 1 when a target is missed. The table
starts with the load average (1, 5, 15 min) at the start and at the end of the measurements.

While working on the queries: ``BENCH_KEEP=1`` keeps the database afterwards (to run
``EXPLAIN (ANALYZE, BUFFERS)`` on it) and ``BENCH_REUSE=1`` measures again on the kept one
(migrated first, so new indexes apply, then ``VACUUM ANALYZE``) without loading it anew. Drop
it when finished (a run without ``BENCH_KEEP`` drops it).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Postgres, manage  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AGENCIES = int(os.environ.get("BENCH_AGENCIES", "17"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
CUSTODY = int(os.environ.get("BENCH_CUSTODY", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
DB_NAME = "mol_bench_property"


def load() -> dict:
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from core.models import Organization
    from property.models import Movement
    from property.selectors import agencies

    today = timezone.localdate()
    start = today - dt.timedelta(days=5 * 365)
    ministry = Organization.objects.get(code="MOL")
    have = list(agencies())
    for n in range(len(have), AGENCIES):
        Organization.objects.create(
            parent=ministry,
            kind="bureau",
            code=f"BA{n:02d}",
            name_zh=f"測試機關{n}",
            name_en=f"Bench agency {n}",
        )
    ids = list(agencies().values_list("pk", flat=True))[:AGENCIES]
    keeper = User.objects.create(username="bench.keeper", name_zh="保管人")
    User.objects.bulk_create(
        [User(username=f"bench.p{n}", employee_number=f"B{n:05d}") for n in range(1000)]
    )
    people = list(User.objects.filter(username__startswith="bench.p").values_list("pk", flat=True))
    with transaction.atomic():
        movements = {}
        for agency_id in ids:
            movements[agency_id] = Movement.objects.create(
                number=f"BENCH{agency_id:05d}",
                agency_id=agency_id,
                kind="acquisition",
                status="completed",
                effective_date=today,
            ).pk
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            "SELECT array_agg(id ORDER BY id), array_agg(code ORDER BY id) FROM property_classification"
        )
        class_ids, class_codes = cur.fetchone()
        for index, agency_id in enumerate(ids):
            unit_id = agency_id
            custodian_sql = (
                f"CASE WHEN g <= {CUSTODY} AND {index} = 0 THEN {keeper.pk} "
                f"ELSE (ARRAY{people})[1 + mod(g, {len(people)})] END"
            )
            cur.execute(
                f"""
                INSERT INTO property_item (agency_id, register, classification_id, serial, number,
                  name, specification, brand_model, quantity, unit_of_measure, area, acquired_on,
                  cost, value, residual_value, useful_life_months, funding_source, custodian_id,
                  user_unit_id, location, status, created_at)
                SELECT {agency_id}, 'property', c.id, g,
                  c.code || '-' || lpad(g::text, 7, '0'), '設備' || g, '', '', 1, '件', 0,
                  d, cost, cost, 0, 60, '', {custodian_sql}, {unit_id}, 'B' || mod(g, 40),
                  'in_use', now()
                FROM (
                  SELECT g, (ARRAY{class_ids})[1 + floor(random() * {len(class_ids)})::int] AS cid,
                    %s::date + floor(random() * 1800)::int AS d,
                    (10000 + floor(random() * 1990000))::numeric AS cost
                  FROM generate_series(1, {ITEMS}) AS g
                ) s JOIN property_classification c ON c.id = s.cid
                """,
                [start],
            )
            cur.execute(
                f"""
                INSERT INTO property_posting (movement_id, item_id, agency_id, register,
                  class_digit, category, date, quantity, area, value)
                SELECT {movements[agency_id]}, i.id, i.agency_id, i.register, left(c.code, 1),
                  'acquisition', i.acquired_on, i.quantity, i.area, i.value
                FROM property_item i JOIN property_classification c ON c.id = i.classification_id
                WHERE i.agency_id = {agency_id}
                """
            )
            cur.execute(
                f"""
                INSERT INTO property_posting (movement_id, item_id, agency_id, register,
                  class_digit, category, date, quantity, area, value)
                SELECT {movements[agency_id]}, i.id, i.agency_id, i.register, left(c.code, 1),
                  (ARRAY['value_increase','scrap','loss','transfer_out'])[1 + mod(i.id, 4)],
                  LEAST(i.acquired_on + 200, %s::date),
                  CASE WHEN mod(i.id, 4) = 0 THEN 0 ELSE -i.quantity END, 0,
                  CASE WHEN mod(i.id, 4) = 0 THEN 5000 ELSE -i.value END
                FROM property_item i JOIN property_classification c ON c.id = i.classification_id
                WHERE i.agency_id = {agency_id} AND mod(i.id, 5) = 0
                """,
                [today],
            )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE property_item")
        cur.execute("VACUUM ANALYZE property_posting")
    print(
        f"  loaded {AGENCIES} × {ITEMS:,} items and their postings in {time.perf_counter() - t0:.0f} s"
    )
    return {"keeper": keeper.pk, "classifications": class_codes}


def reused() -> dict:
    """The kept database of an earlier ``BENCH_KEEP=1`` run (migrated; analysed again)."""
    from django.db import connection

    from accounts.models import User
    from property.models import Classification

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE property_item")
        cur.execute("VACUUM ANALYZE property_posting")
    return {
        "keeper": User.objects.get(username="bench.keeper").pk,
        "classifications": list(
            Classification.objects.order_by("pk").values_list("code", flat=True)
        ),
    }


def measure(info: dict) -> dict:
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from property.models import Classification, ConsolidationReport
    from property.services.consolidation import consolidation_build

    today = timezone.localdate()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM property_item")
        (total_items,) = cur.fetchone()
    report = ConsolidationReport.objects.create(
        register="property", date_from=today - dt.timedelta(days=5 * 365), date_to=today
    )
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    consolidation_build(report_id=report.pk)
    build_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def timed(client, urls):
        times = []
        for url in urls:
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(times), statistics.quantiles(times, n=20)[18]

    keeper = Client()
    keeper.force_login(User.objects.get(pk=info["keeper"]))
    keeper.get("/property/")
    custody = timed(keeper, ["/property/"] * RUNS)
    admin, _created = User.objects.get_or_create(
        username="bench.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    boss = Client()
    boss.force_login(admin)
    class_ids = list(Classification.objects.order_by("pk").values_list("pk", flat=True))
    urls = [
        f"/property/items/?register=property&status=in_use&classification={class_ids[n % len(class_ids)]}"
        for n in range(RUNS)
    ]
    boss.get(urls[0])
    listing = timed(boss, urls)
    return {
        "build_s": build_s,
        "peak_mb": peak_mb,
        "base_mb": base / 1024,
        "custody": custody,
        "list": listing,
        "items": total_items,
    }


def main() -> int:
    if "--measure" in sys.argv:
        import django

        django.setup()
        info = json.loads(sys.argv[-1])
        print(json.dumps(measure(info)))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-property-"))
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
        "MFA_REQUIRED_FOR_STAFF": "0",
    }
    keep = os.environ.get("BENCH_KEEP") == "1"
    reuse = os.environ.get("BENCH_REUSE") == "1"
    postgres = Postgres(DB_NAME)
    if not reuse and not postgres.create():
        sys.exit("bench/property.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    load_before = os.getloadavg()
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        import django

        django.setup()
        if reuse:
            info = reused()
        else:
            info = load()
        load_before = os.getloadavg()
        from django.db import connections

        connections.close_all()
        child = subprocess.run(
            [sys.executable, __file__, "--measure", json.dumps(info)],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if child.returncode:
            sys.exit(child.stdout[-3000:] + child.stderr[-3000:])
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if not keep:
            postgres.drop()
    load_after = os.getloadavg()
    print(
        "load average (1, 5, 15 min): before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    rows = [
        (
            "consolidated 增減結存表 (PDF + XLSX)",
            f"{result['build_s']:.1f} s, peak {result['peak_mb']:.0f} MB",
            "< 60 s, < 500 MB",
        ),
        (
            "my custody, 2,000 items",
            "p50 {:.0f} ms, p95 {:.0f} ms".format(*result["custody"]),
            "p95 < 100 ms",
        ),
        (
            f"filtered list over {result['items']:,} items",
            "p50 {:.0f} ms, p95 {:.0f} ms".format(*result["list"]),
            "p95 < 300 ms",
        ),
    ]
    print("| measure | result | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    ok = (
        result["build_s"] < 60
        and result["peak_mb"] < 500
        and result["custody"][1] < 100
        and result["list"][1] < 300
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
