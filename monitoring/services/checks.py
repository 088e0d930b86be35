"""Creating, changing, pausing and resuming checks; each service checks ``actor``.

``actor=None`` is a trusted internal caller (the portal's own checks, the demo)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..choices import CheckKind, CheckState
from ..models import ApplicationGroup, Check
from ..selectors import may_create_in, may_operate

#: Fields a caller may set when creating or changing a check.
EDITABLE = (
    "name",
    "kind",
    "url",
    "method",
    "headers",
    "body",
    "expected_status",
    "keyword",
    "json_path",
    "json_value",
    "max_response_ms",
    "verify_tls",
    "tls_warning_days",
    "host",
    "port",
    "dns_expected",
    "component",
    "db_metric",
    "db_limit",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "failure_threshold",
    "success_threshold",
    "period_seconds",
    "grace_seconds",
    "cron",
    "time_zone",
    "expected_pings",
)


@transaction.atomic
def check_create(*, actor, group: ApplicationGroup, depends_on=(), **fields) -> Check:
    if actor is not None and not may_create_in(actor, group):
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE) - {"slug"}
    if unknown:
        raise TypeError(f"unknown check fields: {sorted(unknown)}")
    check = Check(group=group, **fields)
    if check.kind != CheckKind.HEARTBEAT:
        check.next_run_at = timezone.now()
    check.full_clean()
    check.save()
    if depends_on:
        check.depends_on.set(depends_on)
    return check


@transaction.atomic
def check_update(*, actor, check: Check, **fields) -> Check:
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    for name, value in fields.items():
        if name not in EDITABLE:
            raise TypeError(f"not an editable field: {name}")
        setattr(check, name, value)
    check.full_clean()
    check.save(update_fields=[*fields, "updated_at"])
    return check


@transaction.atomic
def check_pause(*, actor, check: Check) -> Check:
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    Check.objects.filter(pk=check.pk).update(
        enabled=False, state=CheckState.PAUSED, state_changed_at=timezone.now()
    )
    check.refresh_from_db()
    return check


@transaction.atomic
def check_resume(*, actor, check: Check) -> Check:
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    now = timezone.now()
    Check.objects.filter(pk=check.pk).update(
        enabled=True,
        state=CheckState.NEW,
        state_changed_at=now,
        failures=0,
        successes=0,
        next_run_at=now,
        claimed_until=None,
        claim_token=None,
    )
    check.refresh_from_db()
    return check
