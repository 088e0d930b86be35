"""Background jobs of the service monitor. Thin: each calls a service.

- ``monitoring.run_due`` (every 15 s): claims due checks in batches and runs them
  concurrently (``services.runner``) until none is due or ``RUN_SECONDS`` have passed, then
  sweeps the heartbeats. Two workers running it at once split the due checks between them:
  each check is claimed by a conditional update.
- ``monitoring.escalate`` (every 30 s): every due escalation step once (``services.alerts``),
  then the pending webhooks.
- ``monitoring.rollup`` (hourly): daily uptime figures and retention, database sizes.
- ``monitoring.self_sync`` (hourly): the portal's own checks (``services.selfwatch``).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task

from core.locks import single_flight
from core.tasks import periodic

from .constants import (
    ESCALATE_LOCK,
    ROLLUP_LOCK,
    TASK_ESCALATE,
    TASK_ROLLUP,
    TASK_RUN_DUE,
    TASK_SELF_SYNC,
    TASK_WEBHOOK,
)
from .services import alerts, heartbeats, rollup, runner, selfwatch

logger = logging.getLogger(__name__)

RUN_SECONDS = 50
RUN_TIME_LIMIT = 110  # below constants.CLAIM_SECONDS: a live worker never loses its claim


def run_once(*, seconds: float = RUN_SECONDS) -> dict:
    started = time.monotonic()
    totals = {"claimed": 0, "ok": 0, "failed": 0, "changed": 0}
    while time.monotonic() - started < seconds:
        report = runner.run_due()
        for key in totals:
            totals[key] += getattr(report, key)
        if not report.claimed:
            break
    totals["heartbeats"] = heartbeats.heartbeats_sweep()
    totals["alerts"] = alerts.escalations_due()
    return totals


@shared_task(
    name=TASK_RUN_DUE,
    ignore_result=True,
    time_limit=RUN_TIME_LIMIT,
    soft_time_limit=RUN_TIME_LIMIT - 10,
)
@periodic
def run_due() -> dict:
    return run_once()


@shared_task(name=TASK_ESCALATE, ignore_result=True, time_limit=120, soft_time_limit=110)
@periodic
def escalate() -> dict:
    with single_flight(ESCALATE_LOCK) as acquired:
        if not acquired:
            return {"skipped": True}
        sent = alerts.escalations_due()
        hooks = alerts.webhooks_send()
    return {"alerts": sent, "webhooks": hooks}


@shared_task(name=TASK_WEBHOOK, ignore_result=True, time_limit=60)
def webhook_send() -> int:
    return alerts.webhooks_send()


@shared_task(name=TASK_ROLLUP, ignore_result=True, time_limit=30 * 60, soft_time_limit=29 * 60)
@periodic
def rollup_daily() -> dict:
    with single_flight(ROLLUP_LOCK) as acquired:
        if not acquired:
            return {"skipped": True}
        result = rollup.rollup()
        try:
            result["database_sizes"] = rollup.database_sizes_record()
        except Exception:  # noqa: BLE001 - sizes are a reading, not the job
            logger.warning("monitoring: could not record database sizes", exc_info=True)
    return result


@shared_task(name=TASK_SELF_SYNC, ignore_result=True, time_limit=120)
@periodic
def self_sync() -> int:
    return selfwatch.self_sync()


BEAT = {
    "monitoring-run-due": {
        "task": TASK_RUN_DUE,
        "schedule": timedelta(seconds=15),
        "options": {"expires": 15},
    },
    "monitoring-escalate": {
        "task": TASK_ESCALATE,
        "schedule": timedelta(seconds=30),
        "options": {"expires": 30},
    },
    "monitoring-rollup": {
        "task": TASK_ROLLUP,
        "schedule": timedelta(hours=1),
        "options": {"expires": 30 * 60},
    },
    "monitoring-self-sync": {
        "task": TASK_SELF_SYNC,
        "schedule": timedelta(hours=1),
        "options": {"expires": 30 * 60},
    },
}
