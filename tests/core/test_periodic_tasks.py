"""Periodic jobs: every task marked ``@periodic`` or named in a BEAT dict is scheduled, and
every scheduled entry names a real task and expires before its next run."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.tasks import BEAT as CORE_BEAT
from core.tasks import periodic
from mol_portal import celery as celery_module
from mol_portal.celery import app, collect_beat_schedule


@pytest.fixture(scope="module")
def schedule() -> dict:
    app.loader.import_default_modules()
    app.finalize()
    return app.conf.beat_schedule


def periodic_tasks() -> dict[str, str | None]:
    """{task name: enabled_by setting} of every registered task marked @periodic."""
    app.loader.import_default_modules()
    found = {}
    for name, task in app.tasks.items():
        run = getattr(task, "run", None)
        if getattr(run, "periodic", False):
            found[name] = run.periodic_enabled_by
    return found


def test_the_schedule_is_the_merge_of_every_app_beat(schedule):
    assert schedule == collect_beat_schedule()
    assert {"core-purge-audit-log", "accounts-hr-sync", "documents-overdue-reminders"} <= set(
        schedule
    )
    assert {"petitions-import-mail", "petitions-reminders", "petitions-anonymise"} <= set(schedule)
    assert not getattr(settings, "CELERY_BEAT_SCHEDULE", None)  # settings hold no entries


def test_every_periodic_task_is_scheduled(schedule):
    marked = periodic_tasks()
    assert "core.tasks.purge_audit_log" in marked
    assert "documents.tasks.send_overdue_reminders" in marked
    scheduled = {entry["task"] for entry in schedule.values()}
    for name, enabled_by in marked.items():
        if enabled_by and not getattr(settings, enabled_by):
            assert name not in scheduled, f"{name} is scheduled although {enabled_by} is off"
        else:
            assert name in scheduled, f"periodic task {name} is in no BEAT entry"


def test_every_entry_names_a_registered_task(schedule):
    for entry_name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"{entry_name}: no task {entry['task']}"


def test_every_entry_expires_before_its_next_run(schedule):
    for entry_name, entry in schedule.items():
        expires = entry.get("options", {}).get("expires")
        assert isinstance(expires, int | float) and expires > 0, f"{entry_name} has no expires"
        every = entry["schedule"]
        assert isinstance(every, timedelta | crontab), entry_name
        if isinstance(every, timedelta):
            assert expires <= every.total_seconds(), f"{entry_name} outlives its interval"


def test_the_overdue_reminders_go_out_daily_in_the_morning(schedule):
    entry = schedule["documents-overdue-reminders"]
    assert entry["task"] == "documents.tasks.send_overdue_reminders"
    assert entry["schedule"] == crontab(hour=8, minute=0)


def test_an_entry_declared_twice_stops_start_up(monkeypatch):
    real = celery_module.importlib.import_module

    class Twin:
        BEAT = {"core-purge-audit-log": CORE_BEAT["core-purge-audit-log"]}

    def fake_import(name):
        return Twin if name == "documents.tasks" else real(name)

    monkeypatch.setattr(celery_module.importlib, "import_module", fake_import)
    with pytest.raises(ImproperlyConfigured, match="core-purge-audit-log"):
        collect_beat_schedule()


def test_the_marker_keeps_the_function_and_records_its_setting():
    def job():
        return 7

    def other():
        return 8

    assert periodic(job) is job and job() == 7
    assert (job.periodic, job.periodic_enabled_by) == (True, None)
    assert periodic(enabled_by="LDAP_DIRECTORIES")(other).periodic_enabled_by == "LDAP_DIRECTORIES"
