"""Enqueue a petitions task after the current transaction commits.

Services never import ``petitions.tasks`` (the tasks import the services): they name the task
(``constants.TASK_*``) and this module finds it in the Celery app's registry when the
transaction commits. ``petitions.apps`` imports ``petitions.tasks`` at start-up, so every task
is registered in the web process and the worker alike; an unknown name raises ``KeyError``
rather than silently sending to a broker (``send_task`` would, and it ignores eager mode).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Run ``task_name`` with ``kwargs`` after the caller's transaction commits (at once
    outside a transaction). The task is looked up now, so a wrong name fails in the caller."""
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))
