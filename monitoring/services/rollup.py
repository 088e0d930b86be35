"""Daily and hourly uptime and retention: results older than ``MONITORING_RESULT_DAYS`` are
summed into ``DailyUptime`` (one row per check and day, recomputed from the raw rows so a re-run
gives the same figures) and then deleted; pings too. Uptime history has no length cap.

``rollup_hours`` (the same hourly job) sums the last ``HOURS_BACK`` finished UTC hours into
``HourlyUptime`` with one upsert per batch (recomputed, so a missed run is caught up and a
re-run gives the same figures) and drops hourly rows past ``HOURLY_KEEP_HOURS``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from .. import selectors_db
from ..models import CheckResult, DailyUptime, DatabaseSize, HourlyUptime, Ping
from ..selectors import hour_start

#: Finished hours each run recomputes (a day and one, so a missed run is caught up).
HOURS_BACK = 25
#: Hours of hourly rows kept (the 24 h figure reads the last 23 and the current one).
HOURLY_KEEP_HOURS = 48


def rollup_hours(*, now: datetime | None = None, hours_back: int = HOURS_BACK) -> int:
    """Write the ``HourlyUptime`` rows of the last ``hours_back`` finished hours; the number
    written."""
    current = hour_start(now or timezone.now())
    rows = (
        CheckResult.objects.filter(at__gte=current - timedelta(hours=hours_back), at__lt=current)
        .annotate(hour=TruncHour("at", tzinfo=UTC))
        .values("check_ref_id", "hour")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(ok=True)))
        .order_by()
    )
    hours = [
        HourlyUptime(
            check_ref_id=row["check_ref_id"], hour=row["hour"], total=row["total"], ok=row["ok"]
        )
        for row in rows
    ]
    with transaction.atomic():
        HourlyUptime.objects.bulk_create(
            hours,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["check_ref", "hour"],
            update_fields=["total", "ok"],
        )
        HourlyUptime.objects.filter(hour__lt=current - timedelta(hours=HOURLY_KEEP_HOURS)).delete()
    return len(hours)


def rollup(*, now: datetime | None = None, days_back: int = 3) -> dict:
    """Roll up the last ``days_back`` finished days (a missed run is caught up), then purge
    the raw rows past the retention (long rolled up by then)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = (
        CheckResult.objects.filter(at__gte=now - timedelta(days=days_back + 1))
        .annotate(day=TruncDate("at"))
        .filter(day__lt=today, day__gte=today - timedelta(days=days_back))
        .values("check_ref_id", "day")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(ok=True)), avg=Avg("response_ms"))
    )
    written = 0
    with transaction.atomic():
        for row in rows:
            DailyUptime.objects.update_or_create(
                check_ref_id=row["check_ref_id"],
                day=row["day"],
                defaults={
                    "total": row["total"],
                    "ok": row["ok"],
                    "response_ms_avg": int(row["avg"]) if row["avg"] is not None else None,
                },
            )
            written += 1
    hours = rollup_hours(now=now)
    cutoff = now - timedelta(days=max(settings.MONITORING_RESULT_DAYS, days_back + 1))
    purged, _ = CheckResult.objects.filter(at__lt=cutoff).delete()
    pings, _ = Ping.objects.filter(at__lt=cutoff).delete()
    return {"days": written, "hours": hours, "purged": purged, "pings": pings}


def database_sizes_record(*, now: datetime | None = None) -> int:
    """Today's size of every database of every watched server (growth on the page)."""
    day = timezone.localdate(now or timezone.now())
    written = 0
    for reading in selectors_db.activities():
        for size in reading.sizes:
            DatabaseSize.objects.update_or_create(
                day=day,
                server=reading.server,
                database=size["database"],
                defaults={"bytes": size["bytes"]},
            )
            written += 1
    return written
