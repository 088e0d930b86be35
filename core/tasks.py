"""Celery tasks of core, the ``periodic`` marker, and core's beat entries.

Periodic jobs: every app's ``tasks.py`` declares its beat entries next to its tasks in a
``BEAT`` dict, ``{"<app>-<job>": {"task": <task name>, "schedule": <timedelta or crontab>,
"options": {"expires": <seconds>}}}``; ``mol_portal.celery`` merges every installed app's
``BEAT`` into the beat schedule. A task that must run on a schedule is marked ``@periodic``
(below ``@shared_task``); ``tests/core/test_periodic_tasks.py`` fails when a marked task is in no
``BEAT`` entry, or when an entry has no ``expires``.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from .services import audit_log_purge

logger = logging.getLogger(__name__)


def periodic(func: Callable | None = None, *, enabled_by: str | None = None):
    """Mark a task function as periodic: some ``BEAT`` entry must schedule it.

    ``enabled_by`` names a setting: the task is only scheduled while that setting is truthy
    (e.g. ``LDAP_DIRECTORIES``), and the test then expects it in the schedule only then.
    Use as ``@periodic`` or ``@periodic(enabled_by="X")``, directly above the function.
    """

    def mark(function: Callable) -> Callable:
        function.periodic = True
        function.periodic_enabled_by = enabled_by
        return function

    return mark(func) if func is not None else mark


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    time_limit=30 * 60,
)
@periodic
def purge_audit_log(self, older_than_days: int | None = None) -> int:
    """Delete audit entries past the retention period (AUDIT_RETENTION_DAYS). Idempotent."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted = audit_log_purge(older_than_days=days)
    logger.info("audit retention: deleted %s entries older than %s days", deleted, days)
    return deleted


BEAT = {
    "core-purge-audit-log": {
        "task": "core.tasks.purge_audit_log",
        "schedule": timedelta(hours=24),
        "options": {"expires": 60 * 60},
    },
}
