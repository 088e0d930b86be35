"""Celery tasks of the OpenID Connect part (imported by ``accounts/tasks.py``)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from oauth2_provider.models import clear_expired

from ..models import BackchannelLogoutDelivery
from .backchannel import deliveries_due, delivery_attempt, retry_delay
from .choices import DeliveryStatus

logger = logging.getLogger("accounts.oidc.tasks")

# The beat sweep re-queues only deliveries this late: younger ones still have a retry
# scheduled in the broker.
SWEEP_GRACE = timedelta(minutes=10)


@shared_task(bind=True, ignore_result=True, time_limit=120, soft_time_limit=100, max_retries=20)
def deliver_backchannel_logout(self, delivery_id: int) -> str | None:
    """Send one logout token; on failure retry later with exponential backoff. Idempotent:
    a delivered or abandoned delivery is left alone."""
    status = delivery_attempt(delivery_id)
    if status == DeliveryStatus.PENDING and not self.request.is_eager:
        attempts = (
            BackchannelLogoutDelivery.objects.filter(pk=delivery_id)
            .values_list("attempts", flat=True)
            .first()
            or 1
        )
        raise self.retry(countdown=retry_delay(attempts))
    return status


@shared_task(ignore_result=True, time_limit=300)
def backchannel_retry_due() -> int:
    """Re-queue deliveries whose retry is long overdue (a worker died holding them)."""
    due = deliveries_due(timezone.now() - SWEEP_GRACE)
    for delivery_id in due:
        deliver_backchannel_logout.delay(delivery_id)
    if due:
        logger.info("re-queued %s back-channel logout deliveries", len(due))
    return len(due)


@shared_task(ignore_result=True, time_limit=30 * 60)
def clear_expired_tokens() -> None:
    """Delete expired access, refresh and ID tokens and grants (django-oauth-toolkit's
    ``cleartokens``), so the token tables stay small."""
    clear_expired()
