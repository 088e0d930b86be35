"""Background jobs of the labour-administration platform. ``BEAT`` (merged into the beat
schedule by ``mol_portal.celery``): the daily facts for the decision app at 01:30 and the
overdue reminders at 08:15, Asia/Taipei."""

import datetime as dt
import logging

from celery import shared_task
from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone

from core.locks import single_flight
from core.tasks import periodic

from .services import daily_facts_build, overdue_case_ids, overdue_remind

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=30 * 60,
    soft_time_limit=28 * 60,
)
@periodic
def build_daily_facts(self, day: str | None = None) -> int:
    """Rebuild yesterday's facts (or ``day``'s, ISO). Idempotent: a day's rows are replaced;
    never two builds at once (``core.locks.single_flight``)."""
    when = (
        timezone.localdate() - dt.timedelta(days=1) if day is None else dt.date.fromisoformat(day)
    )
    with single_flight("labor_admin.daily_facts") as acquired:
        if not acquired:
            logger.info("labor_admin: daily facts already being built, skipped")
            return 0
        rows = daily_facts_build(day=when)
    logger.info("labor_admin: %s fact rows for %s", rows, when)
    return rows


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
@periodic
def send_overdue_reminders(self, day: str | None = None) -> int:
    """Once a day: one reminder task per overdue case (a case reminded today is skipped)."""
    when = timezone.localdate() if day is None else dt.date.fromisoformat(day)
    ids = overdue_case_ids(today=when)
    for case_id in ids:
        transaction.on_commit(
            lambda cid=case_id: send_overdue_reminder.delay(cid, when.isoformat())
        )
    return len(ids)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
    time_limit=60,
    soft_time_limit=50,
)
def send_overdue_reminder(self, case_id: int, day: str) -> bool:
    return overdue_remind(case_id=case_id, today=dt.date.fromisoformat(day))


BEAT = {
    "labor-admin-daily-facts": {
        "task": "labor_admin.tasks.build_daily_facts",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "labor-admin-overdue-reminders": {
        "task": "labor_admin.tasks.send_overdue_reminders",
        "schedule": crontab(hour=8, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
}
