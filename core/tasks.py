import logging

from celery import shared_task
from django.conf import settings

from .services import audit_log_purge

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=30 * 60,
)
def purge_audit_log(self, older_than_days: int | None = None) -> int:
    """Delete audit entries past the retention period (AUDIT_RETENTION_DAYS). Idempotent."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted = audit_log_purge(older_than_days=days)
    logger.info("audit retention: deleted %s entries older than %s days", deleted, days)
    return deleted
