# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of the employee portal at ministry scale, through gunicorn on PostgreSQL.

Setup: a throwaway database ``mol_bench_portal`` (dropped and created anew), migrated, then
written with ``bulk_create``: BENCH_STAFF (default 3,000) people in 30 units, BENCH_ROOMS
(230) rooms in 8 buildings (the first building holds 30 rooms: the grid's), a year of
bookings (six months back, six ahead; every working day each room has up to three meetings,
about 130,000 rows) and 50 approvals waiting for one unit head (35 bookings of restricted
rooms and 15 documents, made through the services so their sign-off chains are real), then
``VACUUM ANALYZE``.

Served by gunicorn (2 sync workers), driven by BENCH_CLIENTS (default 4) threads for
BENCH_SECONDS (default 6) each, every request on a new connection (``Connection: close``),
signed in by a session cookie:

1. the availability grid of 30 rooms × 1 week (``/portal/rooms/availability/?view=week``),
   target p95 < 100 ms;
2. My approvals of the head with 50 approvals waiting (``/portal/mine/approvals/``),
   target p95 < 80 ms;
3. booking creation through the API (``POST /api/v1/portal/bookings/``, every request a free
   half hour of another room or day), target requests/s ≥ 0.3 × the bare view's;
4. the bare Django JSON view (``bench/_bare_wsgi.py``), half before and half after.

Only 127.0.0.1; every loop is bounded. Exit code 1 when a check fails (a target missed is
printed, as the other benchmarks do).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Gunicorn, Postgres, manage  # noqa: E402
from _common import drive as common_drive  # noqa: E402

STAFF = int(os.environ.get("BENCH_STAFF", "3000"))
ROOMS = int(os.environ.get("BENCH_ROOMS", "230"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
GRID_ROOMS = 30
PENDING_BOOKINGS = 35
PENDING_DOCUMENTS = 15
DB_NAME = "mol_bench_portal"
GRID_TARGET_MS = 100
APPROVALS_TARGET_MS = 80
CREATE_RATIO_TARGET = 0.3
CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters: Django's unmasked token format
# Meetings of the generated year (Asia/Taipei): hour, minute, minutes long, chance.
SLOTS = [(9, 0, 60, 0.6), (10, 30, 90, 0.5), (14, 0, 90, 0.6)]


def generate(rng: random.Random, today: dt.date):
    from django.utils import timezone

    from accounts.models import User
    from core.models import Organization
    from portal.choices import BookingStatus
    from portal.models import Booking, Building, Room

    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        root = Organization.objects.create(kind="ministry", code="BENCH", name_zh="勞動部")
    units = list(Organization.objects.order_by("pk")[:30])
    for n in range(30 - len(units)):
        units.append(
            Organization.objects.create(
                parent=root, kind="section", code=f"BU{n:02d}", name_zh=f"壓測單位{n}"
            )
        )
    staff = User.objects.bulk_create(
        (
            User(
                username=f"bench.staff{n:04d}",
                employee_number=f"B{n:05d}",
                name_zh=f"員工{n:04d}",
                email=f"bench.staff{n:04d}@example.gov.tw",
                organization=units[n % len(units)],
                password="!",  # noqa: S106 - no password: the bench signs in by session
            )
            for n in range(STAFF)
        ),
        batch_size=1000,
    )
    buildings = Building.objects.bulk_create(
        Building(code=f"b{n}", name_zh=f"第{n + 1}辦公大樓", sort_order=n) for n in range(8)
    )
    rooms = []
    for n in range(ROOMS):
        building = buildings[0] if n < GRID_ROOMS else buildings[1 + n % 7]
        rooms.append(
            Room(
                building=building,
                code=f"r{n:03d}",
                floor=f"{1 + n % 12}F",
                name_zh=f"{n:03d} 會議室",
                capacity=8 + n % 40,
                managing_unit=units[0],
                horizon_days=400,
                max_minutes=240,
            )
        )
    rooms = Room.objects.bulk_create(rooms)
    first = today - dt.timedelta(days=182)
    days = [first + dt.timedelta(days=n) for n in range(365)]
    days = [d for d in days if d.weekday() < 5]

    def rows():
        for room in rooms:
            for day in days:
                for hour, minute, length, chance in SLOTS:
                    if rng.random() < chance:
                        start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
                        yield Booking(
                            room=room,
                            organiser=staff[rng.randrange(len(staff))],
                            title=f"業務會議 {rng.randrange(1000)}",
                            start=start,
                            end=start + dt.timedelta(minutes=length),
                            status=BookingStatus.CONFIRMED,
                        )

    batch, written = [], 0
    for booking in rows():
        batch.append(booking)
        if len(batch) == 5000:
            Booking.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    Booking.objects.bulk_create(batch)
    written += len(batch)
    return units, staff, rooms, written


def approvals_for(head, staff, units, rooms, today):
    """50 approvals waiting for ``head``: restricted rooms' bookings and documents."""
    from django.utils import timezone

    from documents import services as documents_services
    from portal import services
    from portal.models import Room

    halls = list(rooms[-5:])
    Room.objects.filter(pk__in=[r.pk for r in halls]).update(restricted=True, approver=head)
    for room in halls:
        room.restricted, room.approver = True, head
    for n in range(PENDING_BOOKINGS):
        day = today + dt.timedelta(days=7 + n)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
        services.booking_create(
            actor=staff[n],
            room=halls[n % len(halls)],
            start=start,
            end=start + dt.timedelta(hours=1),
            title=f"跨單位協調會 {n}",
        )
    for n in range(PENDING_DOCUMENTS):
        document = documents_services.document_register(
            unit=units[n % len(units)], subject=f"函復立法院第{n}號質詢", registered_by=staff[n]
        )
        documents_services.signoff_start(
            document=document, steps=[{"order": 1, "user": head}], started_by=staff[n]
        )


def drive(port, method, path, cookies, seconds, body_of=None, expect=200) -> dict:
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if method == "POST":
        headers["Content-Type"] = "application/json"
        headers["X-CSRFToken"] = CSRF
    return common_drive(port, method, path, seconds=seconds, clients=CLIENTS, headers=headers,
                        body_of=body_of, expect=expect)  # fmt: skip


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-portal-"))
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
        "MFA_REQUIRED_FOR_STAFF": "0",
    }
    postgres = Postgres(DB_NAME)
    postgres.url = postgres.url.rsplit("/", 1)[0] + "/" + DB_NAME
    if not postgres.create():
        sys.exit("bench/portal.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    servers = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        django.setup()
        from django.db import connection, connections
        from django.test import Client
        from django.utils import timezone

        from portal.models import Booking

        today = timezone.localdate()
        started = time.perf_counter()
        units, staff, rooms, written = generate(random.Random(20261203), today)
        head = staff[-1]
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            approvals_for(head, staff, units, rooms, today)  # the notices' mail: console
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"{len(staff):,} staff, {len(rooms)} rooms, {written:,} bookings over a year and "
            f"{PENDING_BOOKINGS + PENDING_DOCUMENTS} approvals for one head written in "
            f"{time.perf_counter() - started:.0f} s"
        )

        def session(user) -> dict[str, str]:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            return {"mol_sessionid": client.cookies["mol_sessionid"].value, "csrftoken": CSRF}

        head_cookies, booker_cookies = session(head), session(staff[100])
        booker = staff[100]
        free_rooms = [r.pk for r in rooms[GRID_ROOMS:-5]]
        slots = itertools.count()
        slot_lock = threading.Lock()

        def booking_body() -> bytes:
            with slot_lock:
                n = next(slots)
            room, k = free_rooms[n % len(free_rooms)], n // len(free_rooms)
            day = today + dt.timedelta(days=1 + k // 8)
            start = timezone.make_aware(
                dt.datetime.combine(day, dt.time(17, 0)) + dt.timedelta(minutes=30 * (k % 8))
            )
            return json.dumps({
                "room": room, "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=30)).isoformat(), "title": "壓測會議",
            }).encode()  # fmt: skip

        before = Booking.objects.filter(organiser=booker).count()
        connections.close_all()
        bare = Gunicorn("_bare_wsgi:application", {"PATH": env["PATH"]}, tmp / "bare.log",
                        "--pythonpath", str(Path(__file__).resolve().parent))  # fmt: skip
        servers.append(bare)
        portal = Gunicorn("mol_portal.wsgi:application", env, tmp / "portal.log")
        servers.append(portal)
        grid_path = f"/portal/rooms/availability/?view=week&building={rooms[0].building_id}"
        half = SECONDS / 2
        # One request of each first: the workers' caches and connections are warm.
        drive(portal.port, "GET", grid_path, head_cookies, 0.5)
        drive(portal.port, "GET", "/portal/mine/approvals/", head_cookies, 0.5)
        bare_a = drive(bare.port, "GET", "/bare", None, half)
        grid = drive(portal.port, "GET", grid_path, head_cookies, SECONDS)
        approvals = drive(portal.port, "GET", "/portal/mine/approvals/", head_cookies, SECONDS)
        create = drive(portal.port, "POST", "/api/v1/portal/bookings/", booker_cookies,
                       SECONDS, body_of=booking_body, expect=201)  # fmt: skip
        bare_b = drive(bare.port, "GET", "/bare", None, half)
        bare_rps = (bare_a["rps"] + bare_b["rps"]) / 2
        bare_p95 = max(bare_a["p95"], bare_b["p95"])
        after = Booking.objects.filter(organiser=booker).count()
    finally:
        for server in servers:
            server.stop()
        from django.db import connections

        connections.close_all()
        postgres.drop()

    ratio = create["rps"] / bare_rps if bare_rps else 0.0
    stored_ok = after - before == create["count"] and not create["failures"]
    print(f"\nPostgreSQL ({DB_NAME}); gunicorn 2 sync workers, {CLIENTS} clients, "
          f"{SECONDS:.0f} s each, Connection: close")  # fmt: skip
    print("| measure | requests/s | p50 ms | p95 ms | × bare | target |")
    print("|---|---|---|---|---|---|")
    for label, result, target in (
        (f"availability grid, {GRID_ROOMS} rooms × 1 week", grid, f"p95 < {GRID_TARGET_MS} ms"),
        ("my approvals (50 waiting)", approvals, f"p95 < {APPROVALS_TARGET_MS} ms"),
        ("booking creation (API POST)", create, f"≥ {CREATE_RATIO_TARGET} × bare"),
    ):
        print(f"| {label} | {result['rps']:.1f} | {result['p50']:.0f} | {result['p95']:.0f} | "
              f"{result['rps'] / bare_rps:.2f} | {target} |")  # fmt: skip
    print(f"| bare Django view | {bare_rps:.1f} | | {bare_p95:.0f} | 1.00 | |")
    print(f"\nbookings created = 201 answers: {'yes' if stored_ok else 'NO'}")
    for name, result in (("grid", grid), ("approvals", approvals), ("create", create)):
        if result["failures"]:
            print(f"{name} failures:", result["failures"][:3])
    met = grid["p95"] < GRID_TARGET_MS and approvals["p95"] < APPROVALS_TARGET_MS
    met = met and ratio >= CREATE_RATIO_TARGET
    print("targets met" if met else "targets NOT met")
    failed = not stored_ok or bool(grid["failures"] or approvals["failures"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
