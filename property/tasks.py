"""Background jobs of the property app. ``BEAT``: the hand-over sweep (hourly) and the sweep of
consolidated reports whose task was lost (every 10 minutes)."""

import logging

from celery import shared_task
from celery.schedules import crontab

from core.tasks import periodic

from .services.consolidation import consolidation_build, consolidations_sweep
from .services.handover import handovers_sweep
from .services.movements import movements_settle_cancelled

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
    time_limit=30 * 60,
    soft_time_limit=29 * 60,
)
def build_consolidation(self, report_id: int) -> bool:
    """Build one consolidated 增減結存表 (claimed once; a re-run does nothing)."""
    return consolidation_build(report_id=report_id)


@shared_task(bind=True, time_limit=5 * 60, soft_time_limit=4 * 60)
@periodic
def sweep_consolidations(self) -> int:
    ids = consolidations_sweep()
    for report_id in ids:
        build_consolidation.delay(report_id)
    return len(ids)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
@periodic
def draft_handovers(self) -> int:
    """Draft the hand-over of everything held by people HR deactivated or moved."""
    drafted = handovers_sweep()
    logger.info("property: %s hand-over(s) drafted", drafted)
    return drafted


@shared_task(
    name="property.tasks.settle_cancelled_movements",
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
@periodic
def settle_cancelled_movements(self) -> int:
    """Put back the movements whose sign-off chain was cancelled on the documents side."""
    settled = movements_settle_cancelled()
    logger.info("property: %s movement(s) put back after a cancelled chain", settled)
    return settled


BEAT = {
    "property-settle-cancelled-movements": {
        "task": "property.tasks.settle_cancelled_movements",
        "schedule": crontab(minute=45),
        "options": {"expires": 50 * 60},
    },
    "property-draft-handovers": {
        "task": "property.tasks.draft_handovers",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
    "property-sweep-consolidations": {
        "task": "property.tasks.sweep_consolidations",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
}
