"""The Celery application. Tasks live in each app's ``tasks.py``.

The beat schedule is the ``BEAT`` dicts of every installed app's ``tasks.py`` (see
``core/tasks.py``), merged when the app is finalized: after Django is set up and the task
modules are imported, before beat reads ``app.conf.beat_schedule``. Settings hold no beat
entries (``CELERY_BEAT_SCHEDULE`` stays unset). Code that reads the schedule outside a worker
or beat calls ``app.finalize()`` first (or ``collect_beat_schedule()``).
"""

import importlib
import importlib.util
import os

from celery import Celery
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")

app = Celery("mol_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def collect_beat_schedule() -> dict:
    """Every installed app's ``<app>.tasks.BEAT``, merged; two apps declaring one entry name
    is an ImproperlyConfigured error. Needs Django set up (apps ready)."""
    schedule: dict = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.tasks"
        if importlib.util.find_spec(name) is None:
            continue
        entries = getattr(importlib.import_module(name), "BEAT", None) or {}
        for entry_name, entry in entries.items():
            if entry_name in schedule:
                raise ImproperlyConfigured(f"Beat entry {entry_name!r} is declared twice.")
            schedule[entry_name] = entry
    return schedule


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **collect_beat_schedule()}
