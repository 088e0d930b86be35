"""Background jobs of the document register. ``BEAT`` (merged into the beat schedule by
``mol_portal.celery``): the overdue reminders go out every day at 08:00 Asia/Taipei."""

import logging
from datetime import date

from celery import shared_task
from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone

from core.tasks import periodic

from .services import signoff_reminder_send, signoff_reminders_prepare

logger = logging.getLogger(__name__)


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
    """Once a day: one reminder (a to-do notice, mailed through the notifications outbox) per
    overdue pending step to its signer(s) and their delegates. Running it again the same day
    sends nothing new (one reminder row per step and day)."""
    when = timezone.localdate() if day is None else date.fromisoformat(day)
    reminder_ids = signoff_reminders_prepare(day=when)
    for reminder_id in reminder_ids:
        transaction.on_commit(lambda rid=reminder_id: send_overdue_reminder.delay(rid))
    logger.info("documents: %s overdue reminder(s) queued for %s", len(reminder_ids), when)
    return len(reminder_ids)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
    time_limit=60,
    soft_time_limit=50,
)
def send_overdue_reminder(self, reminder_id: int) -> bool:
    """Send one reminder (its notices; the outbox relays and retries the mail); retried with
    backoff on connection errors; a sent one is never resent."""
    return signoff_reminder_send(reminder_id=reminder_id)


BEAT = {
    "documents-overdue-reminders": {
        "task": "documents.tasks.send_overdue_reminders",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
}
