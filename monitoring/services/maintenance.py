"""Maintenance windows: while one covers a check (directly or through its group), the check
shows *maintenance* and opens no incident."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from ..models import Check, MaintenanceWindow


def windows_for(check: Check):
    return MaintenanceWindow.objects.filter(Q(checks=check) | Q(groups=check.group_id)).distinct()


def in_maintenance(check: Check, now: datetime) -> bool:
    return any(w.occurrence_at(now) for w in windows_for(check).filter(starts_at__lte=now))


def maintenance_check_ids(check_ids: list[int], now: datetime) -> set[int]:
    """The ids among ``check_ids`` that a window covers at ``now`` (two queries)."""
    windows = list(
        MaintenanceWindow.objects.filter(starts_at__lte=now).prefetch_related("checks", "groups")
    )
    active = [w for w in windows if w.occurrence_at(now)]
    if not active:
        return set()
    covered: set[int] = set()
    group_ids: set[int] = set()
    for window in active:
        covered.update(c.pk for c in window.checks.all())
        group_ids.update(g.pk for g in window.groups.all())
    if group_ids:
        covered.update(
            Check.objects.filter(pk__in=check_ids, group_id__in=group_ids).values_list(
                "pk", flat=True
            )
        )
    return covered & set(check_ids)
