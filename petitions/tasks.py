"""Celery tasks of the citizen mailbox: outgoing mail, registration of confirmed cases, mail
import, reminders, anonymisation. Thin: each calls a service (as the system, ``actor=None``),
is idempotent and retries itself on transient errors. Services enqueue these by name
(``constants.TASK_*`` through ``services.queue``) and never import this module.
"""

from __future__ import annotations

import imaplib
import smtplib
from datetime import timedelta

from celery import shared_task

from core.locks import single_flight

from .constants import (
    IMPORT_MAIL_LOCK,
    TASK_ANONYMISE_EXPIRED,
    TASK_IMPORT_MAIL,
    TASK_REGISTER_CONFIRMED,
    TASK_SEND_CITIZEN_MAIL,
    TASK_SEND_OUTBOUND_MAIL,
    TASK_SEND_REMINDER,
    TASK_SEND_REMINDERS,
)
from .services.cases import petition_register_confirmed
from .services.intake import import_configured
from .services.mail import citizen_mail_deliver, outbound_mail_send
from .services.reminders import reminder_send, reminders_due
from .services.retention import anonymise_due, petition_anonymise

TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)

#: Cases anonymised per run at most (the next run takes the rest).
ANONYMISE_BATCH = 1000


@shared_task(
    name=TASK_SEND_CITIZEN_MAIL,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_citizen_mail(*, to: str, subject: str, body: str) -> None:
    """One rendered, unrecorded message (it carries a secret); a retry sends it again."""
    citizen_mail_deliver(to=to, subject=subject, body=body)


@shared_task(
    name=TASK_SEND_OUTBOUND_MAIL,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_outbound_mail(*, mail_id: int) -> bool:
    return outbound_mail_send(mail_id=mail_id)


@shared_task(
    name=TASK_REGISTER_CONFIRMED,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
    time_limit=300,
    soft_time_limit=280,
)
def register_confirmed(*, petition_id: int) -> None:
    """Register, route and date a web case after its confirmation (idempotent)."""
    petition_register_confirmed(petition=petition_id)


@shared_task(
    name=TASK_IMPORT_MAIL,
    autoretry_for=(imaplib.IMAP4.abort, ConnectionError, TimeoutError),
    retry_backoff=60,
    max_retries=3,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def import_mail() -> dict:
    """Never overlaps itself (``single_flight``); a duplicate run would change nothing
    anyway (one case per Message-ID)."""
    with single_flight(IMPORT_MAIL_LOCK) as acquired:
        if not acquired:
            return {"skipped": True}
        result = import_configured()
    return {"seen": result.seen, "created": result.created}


@shared_task(name=TASK_SEND_REMINDERS, time_limit=10 * 60, soft_time_limit=9 * 60)
def send_reminders() -> int:
    due = reminders_due()
    for petition_id, kind in due:
        send_reminder.delay(petition_id=petition_id, kind=str(kind))
    return len(due)


@shared_task(
    name=TASK_SEND_REMINDER,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def send_reminder(*, petition_id: int, kind: str) -> bool:
    return reminder_send(petition_id=petition_id, kind=kind)


@shared_task(name=TASK_ANONYMISE_EXPIRED, time_limit=30 * 60, soft_time_limit=29 * 60)
def anonymise_expired() -> int:
    done = 0
    for petition_id in anonymise_due()[:ANONYMISE_BATCH]:
        done += int(petition_anonymise(petition_id=petition_id, actor=None))
    return done


BEAT = {
    "petitions-import-mail": {
        "task": TASK_IMPORT_MAIL,
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
    "petitions-reminders": {
        "task": TASK_SEND_REMINDERS,
        "schedule": timedelta(hours=24),
        "options": {"expires": 6 * 60 * 60},
    },
    "petitions-anonymise": {
        "task": TASK_ANONYMISE_EXPIRED,
        "schedule": timedelta(hours=24),
        "options": {"expires": 6 * 60 * 60},
    },
}
