"""The portal watches itself: one ``portal`` check per part (``/healthz`` as a whole, the
database, Redis, the Celery broker and workers) and one heartbeat per periodic job of every
app, made from the apps' ``BEAT`` declarations (merged into the Celery app's beat schedule).

``self_sync`` creates what is missing (idempotent; run after migrate by the periodic task and
the demo). A periodic task that succeeds pings its heartbeat (``beat_task_done``, called from
Celery's ``task_success``/``task_failure`` signals connected in ``apps.py``), so a job that
stops running, or fails, raises an incident like any other check. Beat itself is watched by
those heartbeats: when beat stops, every one goes late, then down. (The sweep that notices
is itself a beat job: run ``manage.py monitoring_run --once`` from cron as a second watcher.)
"""

from __future__ import annotations

import functools
from datetime import timedelta

from celery import current_app
from celery.schedules import crontab
from django.db import transaction

from ..choices import CheckKind, PingKind, PortalComponent
from ..constants import BEAT_SLUG_PREFIX, SELF_GROUP
from ..models import ApplicationGroup, Check
from .heartbeats import ping_record


def _period(schedule) -> tuple[int, str]:
    """(period seconds, cron expression) of a beat schedule."""
    if isinstance(schedule, timedelta):
        return int(schedule.total_seconds()), ""
    if isinstance(schedule, (int, float)):
        return int(schedule), ""
    if isinstance(schedule, crontab):
        fields = (
            schedule._orig_minute,
            schedule._orig_hour,
            schedule._orig_day_of_month,
            schedule._orig_month_of_year,
            schedule._orig_day_of_week,
        )
        return 86400, " ".join(str(f) for f in fields)
    seconds = getattr(schedule, "run_every", None)
    return (int(seconds.total_seconds()), "") if seconds else (86400, "")


def beat_entries() -> dict:
    """The project's beat schedule: finalizing the Celery app merges every app's ``BEAT``."""
    current_app.finalize()
    return dict(current_app.conf.beat_schedule or {})


@transaction.atomic
def self_sync(*, entries: dict | None = None) -> int:
    """Create the portal's own checks that are missing; the number created."""
    entries = beat_entries() if entries is None else entries
    group, _ = ApplicationGroup.objects.get_or_create(
        code=SELF_GROUP, defaults={"name_zh": "入口網站本身", "name_en": "The portal itself"}
    )
    created = 0
    for component in PortalComponent:
        _check, made = Check.objects.get_or_create(
            slug=f"portal:{component.value}",
            defaults={
                "name": str(component.label),
                "group": group,
                "kind": CheckKind.PORTAL,
                "component": component.value,
                "interval_seconds": 60,
                "failure_threshold": 2,
            },
        )
        created += made
    for name, entry in entries.items():
        period, cron = _period(entry.get("schedule"))
        _check, made = Check.objects.get_or_create(
            slug=f"{BEAT_SLUG_PREFIX}{entry['task']}",
            defaults={
                "name": name,
                "group": group,
                "kind": CheckKind.HEARTBEAT,
                "period_seconds": max(period, 60),
                "grace_seconds": max(period // 2, 300),
                "cron": cron,
                "time_zone": "Asia/Taipei",
            },
        )
        created += made
    _beat_slugs.cache_clear()
    return created


@functools.cache
def _beat_slugs() -> frozenset[str]:
    return frozenset(
        Check.objects.filter(slug__startswith=BEAT_SLUG_PREFIX).values_list("slug", flat=True)
    )


def beat_task_done(*, task_name: str, ok: bool) -> bool:
    """Ping the heartbeat of a periodic task that just finished; False when it has none."""
    slug = f"{BEAT_SLUG_PREFIX}{task_name}"
    if slug not in _beat_slugs():
        return False
    check = Check.objects.filter(slug=slug).first()
    if check is None:
        return False
    ping_record(check=check, kind=PingKind.SUCCESS if ok else PingKind.FAIL)
    return True
