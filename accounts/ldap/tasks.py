"""Scheduled directory group sync (celery beat: ``accounts-ldap-sync`` hourly, incremental;
``accounts-ldap-full-sync`` daily). Thin: the work is in services.directory_sync."""

from __future__ import annotations

import logging

from celery import shared_task

from .config import get_directories, get_directory
from .errors import DirectoryError, DirectoryUnavailable
from .services import directory_outage_alert, directory_sync

logger = logging.getLogger(__name__)


@shared_task
def ldap_sync_all(full: bool = False) -> list[str]:
    """Queue one sync per configured directory, so one directory that is down neither delays
    nor fails the others. Returns the directory keys queued."""
    keys = [d.key for d in get_directories()]
    for key in keys:
        ldap_sync_directory.delay(key, full=full)
    return keys


@shared_task(bind=True, max_retries=3, time_limit=30 * 60, soft_time_limit=28 * 60)
def ldap_sync_directory(self, key: str, full: bool = False) -> dict:
    """Sync one directory's groups (idempotent). A directory that cannot be reached is tried
    again with backoff (5, 10, 20 minutes); the error is kept in DirectorySyncState. When it
    is still down after the last try the administrators are alerted, once per outage
    (``services.directory_outage_alert``; the next successful sync says it is back)."""
    directory = get_directory(key)
    if directory is None:
        logger.warning("directory sync: no directory %r is configured", key)
        return {"directory": key, "mode": "skipped"}
    try:
        result = directory_sync(directory=directory, full=full)
    except DirectoryUnavailable as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.warning("directory sync %s: %s", key, exc)
            alerted = directory_outage_alert(directory=directory, error=exc)
            return {"directory": key, "mode": "failed", "error": str(exc), "alerted": alerted}
        raise self.retry(exc=exc, countdown=300 * 2**self.request.retries) from exc
    except DirectoryError as exc:
        logger.error("directory sync %s: %s", key, exc)
        return {"directory": key, "mode": "failed", "error": str(exc)}
    return {
        "directory": key,
        "mode": result.mode,
        "groups": len(result.groups_seen),
        "members_added": result.members_added,
        "members_removed": result.members_removed,
        "roles_added": result.roles_added,
        "roles_removed": result.roles_removed,
        "unmatched": result.unmatched,
    }
