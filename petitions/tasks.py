"""Celery tasks of the citizen mailbox: outgoing mail, registration of confirmed cases, mail
import, reminders, anonymisation. Thin: each calls a service (as the system, ``actor=None``),
is idempotent and retries itself on transient errors. Services enqueue these by name
(``constants.TASK_*`` through ``services.queue``) and never import this module.
"""

from __future__ import annotations

import imaplib
import logging
from datetime import timedelta

from celery import shared_task

from core.locks import single_flight
from core.tasks import periodic
from notifications.services import outbox_email

from .constants import (
    IMPORT_MAIL_LOCK,
    REGISTER_LOCK,
    TASK_ANONYMISE_EXPIRED,
    TASK_IMPORT_MAIL,
    TASK_REGISTER_CONFIRMED,
    TASK_REGISTER_DUE,
    TASK_SEND_CITIZEN_MAIL,
    TASK_SEND_OUTBOUND_MAIL,
    TASK_SEND_REMINDER,
    TASK_SEND_REMINDERS,
)
from .services.cases import petition_register_confirmed, registrations_due
from .services.intake import import_configured
from .services.reminders import reminder_send, reminders_due
from .services.retention import anonymise_due, petition_anonymise

logger = logging.getLogger(__name__)

#: Confirmed cases registered per sweep at most (the next run takes the rest).
REGISTER_BATCH = 500

#: Cases anonymised per run at most (the next run takes the rest).
ANONYMISE_BATCH = 1000


@shared_task(name=TASK_SEND_CITIZEN_MAIL, ignore_result=True, time_limit=60)
def send_citizen_mail(*, to: str, subject: str, body: str) -> None:
    """Kept for messages a web process published before the upgrade to the outbox: the mail
    becomes a sensitive outbox row (sent by the notifications relay)."""
    outbox_email(to=to, subject=subject, text=body, kind="petitions.citizen", sensitive=True)


@shared_task(name=TASK_SEND_OUTBOUND_MAIL, ignore_result=True, time_limit=60)
def send_outbound_mail(*, mail_id: int) -> bool:
    """Kept for messages published before the upgrade: the migration moved their rows into
    the outbox, whose relay sends them; nothing to do here."""
    return False


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


@shared_task(name=TASK_REGISTER_DUE, ignore_result=True, time_limit=10 * 60, soft_time_limit=9 * 60)
@periodic
def register_due() -> int:
    """The hand-over's sweep: every confirmed case still unregistered a while after its
    confirmation (the task published at commit was lost with the broker or a dead worker) is
    registered now. One at a time; registration itself is idempotent."""
    with single_flight(REGISTER_LOCK) as acquired:
        if not acquired:
            return 0
        done = 0
        for petition_id in registrations_due()[:REGISTER_BATCH]:
            try:
                petition_register_confirmed(petition=petition_id)
            except Exception:  # one case that cannot be registered must not stop the rest
                logger.exception("petitions: registering confirmed case %s failed", petition_id)
            else:
                done += 1
    return done


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
    """Each due reminder is written to the outbox here (no task per reminder, so a broker
    fault cannot lose one); ``reminder_send`` is idempotent."""
    due = reminders_due()
    sent = 0
    for petition_id, kind in due:
        sent += int(reminder_send(petition_id=petition_id, kind=str(kind)))
    return sent


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
    "petitions-register-due": {
        "task": TASK_REGISTER_DUE,
        "schedule": timedelta(minutes=2),
        "options": {"expires": 90},
    },
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
