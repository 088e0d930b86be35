"""Writes of the shared kernel."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import AuditLogEntry, Organization, WorkCalendarDay
from .request_context import current_request

PURGE_BATCH = 5000


def audit_record(
    *,
    action: str,
    obj=None,
    actor=None,
    actor_repr: str | None = None,
    changes: dict | None = None,
    message: str = "",
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> AuditLogEntry:
    """Write one audit entry. Who/IP/agent default to the current request's."""
    ctx = current_request.get()
    if actor is None and ctx is not None and ctx.user is not None:
        user = ctx.user
        if getattr(user, "is_authenticated", False):
            actor = user
    if ip_address is None and ctx is not None:
        ip_address = ctx.ip_address
    if user_agent is None:
        user_agent = ctx.user_agent if ctx is not None else ""
    if actor_repr is None:
        actor_repr = actor.get_username() if actor is not None else ""
    entry = AuditLogEntry(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=(actor_repr or "")[:200],
        changes=changes or {},
        message=(message or "")[:500],
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def audit_log_purge(*, older_than_days: int, batch_size: int = PURGE_BATCH) -> int:
    """Delete audit entries older than the retention period, in batches. Returns the count."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    total = 0
    while True:
        ids = list(
            AuditLogEntry.objects.older_than(cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return total
        with transaction.atomic():
            deleted, _ = AuditLogEntry.objects.filter(id__in=ids).delete()
        total += deleted


@transaction.atomic
def organization_upsert(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    parent: Organization | None = None,
    abbreviation: str = "",
    sort_order: int = 0,
    county=None,
) -> Organization:
    """Create or update a unit by its code (used by data loads and, later, the HR sync)."""
    org = Organization.objects.filter(code=code).first() or Organization(code=code)
    org.name_zh = name_zh
    org.name_en = name_en
    org.kind = kind
    org.parent = parent
    org.abbreviation = abbreviation
    org.sort_order = sort_order
    org.county = county
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def work_calendar_load(*, entries: list, replace_years: bool = True) -> tuple[int, int, int]:
    """Store working-calendar entries ``(date, is_workday, name)``; with ``replace_years`` the
    years they cover are replaced wholesale (a day the new file no longer marks is dropped).
    Returns (created, updated, deleted)."""
    created = updated = deleted = 0
    if replace_years and entries:
        keep = {day for day, _, _ in entries}
        for year in {day.year for day, _, _ in entries}:
            stale = WorkCalendarDay.objects.filter(date__year=year).exclude(date__in=keep)
            deleted += stale.delete()[0]
    existing = {
        row.date: row
        for row in WorkCalendarDay.objects.filter(date__in=[day for day, _, _ in entries])
    }
    for day, is_workday, name in entries:
        row = existing.get(day) or WorkCalendarDay(date=day)
        is_new = row.pk is None
        row.is_workday = is_workday
        row.name = name
        row.full_clean(validate_unique=is_new)
        row.save()
        if is_new:
            created += 1
        else:
            updated += 1
    return created, updated, deleted
