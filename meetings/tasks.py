"""Jobs of meeting tracking. ``BEAT`` (merged into the beat schedule by
``mol_portal.celery``): filing reminders at 08:00, case chasing at 08:15 and the controllers'
weekly digest on Mondays at 08:30, Asia/Taipei (each idempotent: one row per reminder), and
every ten minutes the sweep of book builds whose task was lost. ``build_book`` builds one
requested meeting book (claimed once)."""

import logging

from celery import shared_task
from celery.schedules import crontab

from core.locks import single_flight
from core.tasks import periodic

from .services import (
    book_job_run,
    book_jobs_sweep,
    case_reminders_send,
    controller_digest_send,
    filing_reminders_send,
)
from .services.book import BOOK_TIME_LIMIT

logger = logging.getLogger(__name__)

RETRY = {
    "bind": True,
    "autoretry_for": (ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 10 * 60,
    "soft_time_limit": 9 * 60,
}


@shared_task(**RETRY)
@periodic
def send_filing_reminders(self) -> int:
    """Remind the units that have not filed, on the days their series names."""
    with single_flight("meetings.filing_reminders") as acquired:
        if not acquired:
            return 0
        sent = filing_reminders_send()
    logger.info("meetings: %s filing reminder(s) sent", sent)
    return sent


@shared_task(**RETRY)
@periodic
def send_case_reminders(self) -> int:
    """Chase the owners of tracked cases before and after their due dates (稽催)."""
    with single_flight("meetings.case_reminders") as acquired:
        if not acquired:
            return 0
        sent = case_reminders_send()
    logger.info("meetings: %s case reminder(s) sent", sent)
    return sent


@shared_task(**RETRY)
@periodic
def send_controller_digest(self) -> bool:
    """The weekly overdue digest to controllers."""
    with single_flight("meetings.digest") as acquired:
        return bool(acquired and controller_digest_send())


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
    time_limit=BOOK_TIME_LIMIT * 60,
    soft_time_limit=BOOK_TIME_LIMIT * 60 - 60,
)
def build_book(self, job_id: int) -> bool:
    """Build the meeting book a controller asked for (claimed once; a re-run does nothing)."""
    return book_job_run(job_id=job_id)


@shared_task(bind=True, time_limit=5 * 60, soft_time_limit=4 * 60)
@periodic
def sweep_book_jobs(self) -> int:
    """Run again the book builds whose task was lost."""
    ids = book_jobs_sweep()
    for job_id in ids:
        build_book.delay(job_id)
    return len(ids)


BEAT = {
    "meetings-filing-reminders": {
        "task": "meetings.tasks.send_filing_reminders",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "meetings-case-reminders": {
        "task": "meetings.tasks.send_case_reminders",
        "schedule": crontab(hour=8, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
    "meetings-sweep-book-jobs": {
        "task": "meetings.tasks.sweep_book_jobs",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    "meetings-controller-digest": {
        "task": "meetings.tasks.send_controller_digest",
        "schedule": crontab(hour=8, minute=30, day_of_week=1),
        "options": {"expires": 6 * 60 * 60},
    },
}
