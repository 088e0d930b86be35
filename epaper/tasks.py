"""Background jobs of the e-papers. Thin: each calls a service.

- ``epaper.send_due`` (every minute): starts every scheduled issue that is due
  (``services.sending.issues_start_due``) and enqueues ``epaper.send_issue`` for every issue
  being sent, so a send whose worker died, whose SMTP server failed or whose rows were deferred
  goes on within a minute.
- ``epaper.send_issue(issue_id)``: sends batches until the issue is finished or
  ``EPAPER_SEND_SECONDS`` have passed, then enqueues itself again. One issue is sent at a time
  in the whole installation (``single_flight(SEND_LOCK)``): the SMTP server sees at most
  ``EPAPER_SMTP_CONNECTIONS`` connections and ``EPAPER_SMTP_RATE`` messages a second from the
  e-papers; a second task finding the lock taken returns at once.
- ``epaper.import_bounces`` (every ``EPAPER_BOUNCE_MINUTES``, while
  ``EPAPER_BOUNCE_IMAP_HOST`` is set): reads the bounce mailbox (``services.bounces``).

Hard time limits stay below ``EPAPER_SEND_LEASE_SECONDS`` (a live worker is stopped before its
claim can be taken over) and far below the broker's visibility timeout
(``tests/core/test_celery.py``). Results are ignored: the database is the record.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core.locks import single_flight
from core.tasks import periodic

from .constants import (
    BOUNCE_LOCK,
    SEND_LOCK,
    TASK_IMPORT_BOUNCES,
    TASK_SEND_DUE,
    TASK_SEND_ISSUE,
)
from .services import bounces, sending

logger = logging.getLogger(__name__)

SEND_TIME_LIMIT = 8 * 60
SEND_SOFT_TIME_LIMIT = SEND_TIME_LIMIT - 30
#: Starting an issue writes its rows (about 1 million a minute); resuming enqueues only.
DUE_TIME_LIMIT = 15 * 60
BOUNCE_TIME_LIMIT = 10 * 60


def _enqueue(issue_id: int) -> None:
    try:
        send_issue.apply_async(args=[issue_id], ignore_result=True)
    except Exception:  # noqa: BLE001 - the next send_due enqueues it again
        logger.warning("epaper: could not enqueue the send of issue %s", issue_id, exc_info=True)


@shared_task(
    name=TASK_SEND_DUE,
    ignore_result=True,
    time_limit=DUE_TIME_LIMIT,
    soft_time_limit=DUE_TIME_LIMIT - 60,
)
@periodic
def send_due() -> dict:
    """Start due issues; enqueue the send of every issue being sent."""
    with single_flight(f"{SEND_LOCK}.due") as acquired:
        if not acquired:
            return {"skipped": True}
        started = sending.issues_start_due()
        sending_ids = sending.sending_issue_ids()
    for issue_id in sending_ids:
        _enqueue(issue_id)
    if started:
        logger.info("epaper: started issues %s", started)
    return {"started": started, "sending": sending_ids}


@shared_task(
    name=TASK_SEND_ISSUE,
    ignore_result=True,
    time_limit=SEND_TIME_LIMIT,
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
)
def send_issue(issue_id: int) -> dict:
    """Send the issue for at most EPAPER_SEND_SECONDS, then hand over to a new task."""
    seconds = min(settings.EPAPER_SEND_SECONDS, SEND_SOFT_TIME_LIMIT - 60)
    with single_flight(SEND_LOCK) as acquired:
        if not acquired:
            return {"busy": True}
        result = sending.issue_send(issue_id=issue_id, seconds=seconds)
    if result["more"]:
        _enqueue(issue_id)
    elif result["done"]:
        for other in sending.sending_issue_ids():  # the next issue waiting for the lock
            _enqueue(other)
    return result


@shared_task(
    name=TASK_IMPORT_BOUNCES,
    ignore_result=True,
    time_limit=BOUNCE_TIME_LIMIT,
    soft_time_limit=BOUNCE_TIME_LIMIT - 30,
)
@periodic(enabled_by="EPAPER_BOUNCE_IMAP_HOST")
def import_bounces() -> dict:
    with single_flight(BOUNCE_LOCK) as acquired:
        if not acquired:
            return {"skipped": True}
        result = bounces.bounces_import_configured()
    return {"seen": result.seen, "bounces": result.bounces}


BEAT = {
    "epaper-send-due": {
        "task": TASK_SEND_DUE,
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
}
if settings.EPAPER_BOUNCE_IMAP_HOST:
    BEAT["epaper-import-bounces"] = {
        "task": TASK_IMPORT_BOUNCES,
        "schedule": timedelta(minutes=settings.EPAPER_BOUNCE_MINUTES),
        "options": {"expires": settings.EPAPER_BOUNCE_MINUTES * 60},
    }
