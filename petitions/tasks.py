"""Celery tasks of the staff side: mail import, outgoing mail, reminders, anonymisation.
Thin: each calls a service; idempotent; retried on transient errors."""

from __future__ import annotations

import imaplib
import logging
import smtplib

from celery import shared_task
from django.core.cache import cache

logger = logging.getLogger(__name__)

TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(
    name="petitions.import_mail",
    autoretry_for=(imaplib.IMAP4.abort, ConnectionError, TimeoutError),
    retry_backoff=60,
    max_retries=3,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def import_mail() -> dict:
    """Never overlaps itself (cache lock); a duplicate run would change nothing anyway."""
    from .services.intake import import_configured

    if not cache.add("petitions:import-mail-lock", 1, timeout=15 * 60):
        return {"skipped": True}
    try:
        result = import_configured()
    finally:
        cache.delete("petitions:import-mail-lock")
    return {"seen": result.seen, "created": result.created}


@shared_task(
    name="petitions.send_outbound_mail",
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_outbound_mail(*, mail_id: int) -> bool:
    from .services.staff import outbound_mail_send

    return outbound_mail_send(mail_id=mail_id)


@shared_task(name="petitions.send_reminders", time_limit=10 * 60, soft_time_limit=9 * 60)
def send_reminders() -> int:
    from .services.staff import reminders_due

    due = reminders_due()
    for petition_id, kind in due:
        send_reminder.delay(petition_id=petition_id, kind=str(kind))
    return len(due)


@shared_task(
    name="petitions.send_reminder",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def send_reminder(*, petition_id: int, kind: str) -> bool:
    from .services.staff import reminder_send

    return reminder_send(petition_id=petition_id, kind=kind)


@shared_task(name="petitions.anonymise_expired", time_limit=30 * 60, soft_time_limit=29 * 60)
def anonymise_expired() -> int:
    from .services.staff import anonymise_due, petition_anonymise

    done = 0
    for petition_id in anonymise_due()[:1000]:
        done += int(petition_anonymise(petition_id=petition_id))
    return done
