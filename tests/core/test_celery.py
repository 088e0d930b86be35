"""Celery: the audit-retention job through a real worker, Redis and PostgreSQL, and eagerly."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditLogEntry
from core.tasks import purge_audit_log
from mol_portal.celery import app

PROJECT_APPS = ("core", "accounts", "notifications", "documents", "petitions", "portal")
PROJECT_APPS += ("property", "meetings", "epaper", "decision", "labor_admin", "monitoring")


def _entries(*ages_in_days: int) -> list[AuditLogEntry]:
    now = timezone.now()
    return [
        AuditLogEntry.objects.create(
            action=AuditAction.UPDATE, created_at=now - timedelta(days=age), message=f"{age}d"
        )
        for age in ages_in_days
    ]


@pytest.fixture
def real_celery(celery_worker_process):
    """Send tasks to the real worker instead of running them inline."""
    app.conf.task_always_eager = False
    yield celery_worker_process


# The worker is another process: rows must be committed for it to see them. serialized_rollback
# puts the migrations' reference data back for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purge_audit_log_runs_in_a_real_worker(needs_redis, needs_postgres, real_celery):
    retention = settings.AUDIT_RETENTION_DAYS
    old = _entries(retention + 30, retention + 1)
    recent = _entries(1)[0]
    # Results are ignored by default (CELERY_TASK_IGNORE_RESULT); this call asks for its own.
    result = purge_audit_log.apply_async(ignore_result=False)
    try:
        deleted = result.get(timeout=30)
    except Exception:
        pytest.fail(f"task failed or timed out; worker log:\n{real_celery.log()}")
    assert deleted == 2
    assert not AuditLogEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()
    assert result.successful()


@pytest.mark.django_db
def test_purge_audit_log_runs_inline_in_eager_mode():
    old = _entries(settings.AUDIT_RETENTION_DAYS + 5)
    recent = _entries(0)
    result = purge_audit_log.delay()
    assert result.get() == 1
    assert list(AuditLogEntry.objects.filter(pk__in=[old[0].pk, recent[0].pk])) == recent


def test_beat_schedule_purges_the_audit_log_daily_with_an_expiry():
    app.finalize()
    entry = app.conf.beat_schedule["core-purge-audit-log"]
    assert entry["task"] == purge_audit_log.name
    expires = entry["options"]["expires"]
    assert 0 < expires <= entry["schedule"].total_seconds()


def test_every_scheduled_task_exists_and_expires():
    app.loader.import_default_modules()
    app.finalize()
    assert app.conf.beat_schedule
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
        assert entry.get("options", {}).get("expires"), f"{name} has no expires option"


def test_the_visibility_timeout_is_above_every_tasks_hard_time_limit():
    """With late acks a message not acknowledged within the broker's visibility timeout is
    given to another worker: a task still running would run twice. Every project task's hard
    limit (its own or the default) stays well below the timeout."""
    app.loader.import_default_modules()
    app.finalize()
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    default = app.conf.task_time_limit
    assert default, "every task needs a hard time limit"
    project = PROJECT_APPS
    limits = {
        name: task.time_limit or default
        for name, task in app.tasks.items()
        if name.split(".", 1)[0] in project
    }
    assert limits, "no project task found"
    longest = max(limits.items(), key=lambda item: item[1])
    assert longest[1] * 1.5 <= timeout, f"{longest[0]} may run {longest[1]} s of {timeout} s"
