"""Celery signal receivers: a periodic task that finishes pings its heartbeat.

Only a hook into ``services.selfwatch.beat_task_done``; skipped when Celery runs eagerly (the
embedded default and the tests run no beat, so there is nothing to watch)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError

from .services.selfwatch import beat_task_done

logger = logging.getLogger(__name__)


def _done(sender, ok: bool) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER or sender is None:
        return
    try:
        beat_task_done(task_name=sender.name, ok=ok)
    except DatabaseError:
        logger.warning("monitoring: could not record the heartbeat of %s", sender.name)


def beat_task_succeeded(sender=None, **kwargs) -> None:
    _done(sender, True)


def beat_task_failed(sender=None, **kwargs) -> None:
    _done(sender, False)
