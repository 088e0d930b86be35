"""Enqueue a petitions task after the current transaction commits.

Services never import ``petitions.tasks`` (the tasks import the services): they name the task
(``constants.TASK_*``) and this module finds it in the Celery app's registry when the
transaction commits. ``petitions.apps`` imports ``petitions.tasks`` at start-up, so every task
is registered in the web process and the worker alike; an unknown name raises ``KeyError``
rather than silently sending to a broker (``send_task`` would, and it ignores eager mode).

Publishing is only a shortcut: every task enqueued here has a database row or state behind it
that a periodic sweep picks up (a confirmed case without a register entry: ``register_due``).
So a broker that cannot be reached is logged, and the citizen's request still succeeds.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Run ``task_name`` with ``kwargs`` after the caller's transaction commits (at once
    outside a transaction). The task is looked up now, so a wrong name fails in the caller;
    a broker error at commit is logged, not raised (the task's sweep does the work later)."""
    task = current_app.tasks[task_name]

    def publish() -> None:
        if current_app.conf.task_always_eager:
            task.apply_async(kwargs=kwargs)
            return
        try:
            task.apply_async(kwargs=kwargs, ignore_result=True)
        except Exception:  # noqa: BLE001 - the database state is the record; the sweep runs it
            logger.warning(
                "petitions: could not enqueue %s; its periodic sweep will do it",
                task_name,
                exc_info=True,
            )

    transaction.on_commit(publish)
