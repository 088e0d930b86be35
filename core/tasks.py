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
from celery.schedules import crontab
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


@shared_task(bind=True, time_limit=40 * 60)
@periodic
def backup_daily(self) -> str:
    """Back up the database and media into BACKUP_DIR, then apply the retention rule."""
    from .backup import create_backup, prune_backups  # noqa: PLC0415

    folder = create_backup()
    deleted = prune_backups()
    logger.info("backup written to %s; %s old backups deleted", folder, len(deleted))
    return str(folder)


@shared_task(bind=True, time_limit=40 * 60)
@periodic
def restore_drill_weekly(self) -> bool:
    """Restore the newest backup into a scratch database and check it (alerts on failure)."""
    from .backup import restore_drill  # noqa: PLC0415

    return restore_drill().ok


@shared_task(bind=True)
@periodic
def restore_drill_check(self) -> bool:
    """Alert when no restore drill succeeded in the last month."""
    from .backup import drill_overdue  # noqa: PLC0415

    return drill_overdue()


BEAT = {
    "core-backup-daily": {
        "task": "core.tasks.backup_daily",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "core-restore-drill-weekly": {
        "task": "core.tasks.restore_drill_weekly",
        "schedule": crontab(hour=4, minute=0, day_of_week=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "core-restore-drill-check": {
        "task": "core.tasks.restore_drill_check",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 60 * 60},
    },
    "core-purge-audit-log": {
        "task": "core.tasks.purge_audit_log",
        "schedule": timedelta(hours=24),
        "options": {"expires": 60 * 60},
    },
}
