"""Background jobs of the notifications app. Thin: each calls a service.

``deliver`` relays outbox rows right after the transaction that wrote them commits, in chunks,
then whatever else is due (a burst of tasks, one per request, is sent by the first of them;
the rest find nothing left). ``relay_due`` (every minute) is the sweep that sends whatever is
due and unsent — held by quiet hours, backing off after an error, enqueued while the broker was
down, or claimed by a worker that died. Neither can send a row twice (see
``services.outbox``). Results are ignored: nothing reads them, and a dead result store must
not fail a task that already sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings

from core.locks import single_flight
from core.tasks import periodic

from .constants import (
    DIGEST_LOCK,
    RELAY_LOCK,
    TASK_DELIVER,
    TASK_EXPIRE,
    TASK_PURGE,
    TASK_RELAY_DUE,
    TASK_SEND_DIGESTS,
)
from .services import (
    deliveries_relay,
    digests_send,
    notices_expire,
    notices_purge,
)
from .services.outbox import deliveries_send, relay_flag_clear

logger = logging.getLogger(__name__)

# The hard limit stays below NOTIFICATIONS_CLAIM_LEASE_SECONDS: a worker is stopped before
# another may take its claim over.
DELIVER_TIME_LIMIT = 120
#: How long one deliver task goes on sending (its rows, then whatever else is due); well inside
#: the soft limit, so a chunk in flight is marked and the untried rest released in time.
DELIVER_SECONDS = 60
RELAY_TIME_LIMIT = 10 * 60
RELAY_SECONDS = 8 * 60


@shared_task(
    name=TASK_DELIVER,
    ignore_result=True,
    time_limit=DELIVER_TIME_LIMIT,
    soft_time_limit=DELIVER_TIME_LIMIT - 10,
)
def deliver(*, delivery_ids: list[int]) -> int:
    """Send these outbox rows, then what else is due (claimed first; rows already sent or
    claimed elsewhere are skipped)."""
    relay_flag_clear()  # from now on a commit publishes another task (see outbox._publish)
    return deliveries_send(delivery_ids=delivery_ids, drain=True, seconds=DELIVER_SECONDS)


@shared_task(
    name=TASK_RELAY_DUE,
    ignore_result=True,
    time_limit=RELAY_TIME_LIMIT,
    soft_time_limit=RELAY_TIME_LIMIT - 60,
)
@periodic
def relay_due() -> dict:
    """The sweep. One at a time (``single_flight``); the claim makes overlap harmless anyway."""
    with single_flight(RELAY_LOCK) as acquired:
        if not acquired:
            return {"skipped": True}
        result = deliveries_relay(seconds=RELAY_SECONDS)
    if result["due"]:
        logger.info("notifications sweep: %s", result)
    return result


@shared_task(
    name=TASK_SEND_DIGESTS, ignore_result=True, time_limit=30 * 60, soft_time_limit=29 * 60
)
@periodic
def send_digests() -> int:
    with single_flight(DIGEST_LOCK) as acquired:
        return digests_send() if acquired else 0


@shared_task(name=TASK_EXPIRE, ignore_result=True, time_limit=10 * 60)
@periodic
def expire_notices() -> int:
    return notices_expire()


@shared_task(name=TASK_PURGE, ignore_result=True, time_limit=30 * 60)
@periodic
def purge_old() -> dict:
    """Retention (NOTIFICATIONS_RETENTION_DAYS, NOTIFICATIONS_DELIVERY_RETENTION_DAYS)."""
    return notices_purge()


BEAT = {
    "notifications-relay-due": {
        "task": TASK_RELAY_DUE,
        "schedule": timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SECONDS),
        "options": {"expires": settings.NOTIFICATIONS_SWEEP_SECONDS},
    },
    "notifications-digest": {
        "task": TASK_SEND_DIGESTS,
        "schedule": crontab(hour=settings.NOTIFICATIONS_DIGEST_HOUR, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "notifications-expire": {
        "task": TASK_EXPIRE,
        "schedule": timedelta(hours=1),
        "options": {"expires": 30 * 60},
    },
    "notifications-purge": {
        "task": TASK_PURGE,
        "schedule": timedelta(hours=24),
        "options": {"expires": 6 * 60 * 60},
    },
}
