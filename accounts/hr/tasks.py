import logging

from celery import shared_task

from .services import hr_sync_run
from .sources import configured_source

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def hr_sync_scheduled() -> dict:
    """Pull the HR feed from HR_FEED_URL (or HR_FEED_PATH) and apply it; beat runs this every
    HR_SYNC_INTERVAL_MINUTES. Idempotent: an unchanged feed changes nothing. No retry of its
    own: the next scheduled run is the retry, and a run never overlaps another (lock)."""
    source = configured_source()
    if source is None:
        return {"status": "not_configured"}
    result = hr_sync_run(source=source)
    run = result.run
    logger.info("HR sync run %s %s: %s", run.pk, run.status, run.message)
    return {"run": run.pk, "status": run.status}
