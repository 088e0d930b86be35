"""Jobs of the employee portal. ``BEAT`` (merged into the beat schedule by
``mol_portal.celery``): every five minutes, the reminders of bookings about to start
(idempotent: each booking is claimed once by ``reminded_at``); every day at 09:00, the
reminders of equipment loans past their last day (each loan claimed once a day); on 1 January at
00:30 (Asia/Taipei), the carry-over of the leave balances of the year just ended (idempotent:
it sets the next year's carried hours, so a second run changes nothing)."""

import logging

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from core.locks import single_flight
from core.services import audit_record
from core.tasks import periodic

from .services import booking_reminders_send, overdue_reminders_send
from .services.leave import leave_year_carry_over

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    time_limit=4 * 60,
    soft_time_limit=3 * 60,
)
@periodic
def send_booking_reminders(self) -> int:
    """Remind the organiser and attendees of each booking about to start."""
    with single_flight("portal.booking_reminders") as acquired:
        if not acquired:
            return 0
        sent = booking_reminders_send()
    if sent:
        logger.info("portal: %s booking reminder(s) sent", sent)
    return sent


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    time_limit=9 * 60,
    soft_time_limit=8 * 60,
)
@periodic
def send_loan_overdue_reminders(self) -> int:
    """Remind each borrower of equipment past its loan's last day (once a day per loan)."""
    with single_flight("portal.loan_overdue") as acquired:
        if not acquired:
            return 0
        sent = overdue_reminders_send()
    if sent:
        logger.info("portal: %s overdue loan reminder(s) sent", sent)
    return sent


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=14 * 60,
    soft_time_limit=13 * 60,
)
@periodic
def carry_over_leave(self, year: int | None = None) -> int:
    """Carry what is left of ``year``'s leave (default: the year just ended, in Asia/Taipei)
    into the next year. Idempotent; audited once per run."""
    year = timezone.localdate().year - 1 if year is None else int(year)
    with single_flight("portal.leave_carry_over") as acquired:
        if not acquired:
            return 0
        touched = leave_year_carry_over(year=year)
        audit_record(
            action="update",
            actor_repr="celery",
            message=f"leave: carried over {year} into {year + 1} ({touched} balance(s))",
        )
    logger.info("portal: leave of %s carried over (%s balance(s))", year, touched)
    return touched


BEAT = {
    "portal-leave-carry-over": {
        "task": "portal.tasks.carry_over_leave",
        "schedule": crontab(minute=30, hour=0, day_of_month=1, month_of_year=1),
        "options": {"expires": 6 * 60 * 60},
    },
    "portal-loan-overdue-reminders": {
        "task": "portal.tasks.send_loan_overdue_reminders",
        "schedule": crontab(minute=0, hour=9),
        "options": {"expires": 60 * 60},
    },
    "portal-booking-reminders": {
        "task": "portal.tasks.send_booking_reminders",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}
