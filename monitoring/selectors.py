"""Reads of the monitoring app: who sees which checks, the dashboard, history, uptime.

Access: a ``monitoring.manager`` held everywhere sees and manages everything; the manager or
``monitoring.operator`` role held in a unit covers the groups of the units it covers
(``scope_q`` on ``group__unit``): see, create, change, pause and delete their checks. Every
page, the API, the exports and the metrics endpoint read through
``checks_visible_to``/``incidents_visible_to``; the edit pages build their choices with
``groups_creatable_by``, ``dependency_choices`` and ``contact_rule_choices``, and the services
check the posted objects against the same functions.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts import authz
from accounts.models import User
from core.models import Organization

from .choices import CheckState, IncidentState
from .models import (
    AlertTemplate,
    ApplicationGroup,
    Check,
    CheckResult,
    ContactRule,
    DailyUptime,
    HourlyUptime,
    Incident,
    MaintenanceWindow,
    OnCallShift,
)
from .roles import MANAGER, OPERATOR

_EVERY_ROW = Q(pk__isnull=False)


def is_manager(user) -> bool:
    """The manager role held everywhere (unscoped, or a superuser): every group, the contact
    rules, alert texts, maintenance windows and database pages. Held in a unit, the role
    manages that unit's groups only (like an operator there)."""
    return authz.scope_q(user, MANAGER) == _EVERY_ROW


def may_use(user) -> bool:
    """Whether the monitoring pages are for ``user`` at all."""
    return authz.has_role(user, MANAGER) or authz.has_role(user, OPERATOR)


def _group_q(user, field: str) -> Q:
    if is_manager(user):
        return _EVERY_ROW
    return authz.scope_q(user, MANAGER, field=field) | authz.scope_q(user, OPERATOR, field=field)


def groups_visible_to(user) -> QuerySet[ApplicationGroup]:
    return ApplicationGroup.objects.filter(_group_q(user, "unit"))


def checks_visible_to(user) -> QuerySet[Check]:
    return Check.objects.filter(_group_q(user, "group__unit"))


def incidents_visible_to(user) -> QuerySet[Incident]:
    return Incident.objects.filter(_group_q(user, "check_ref__group__unit"))


def may_create_in(user, group: ApplicationGroup) -> bool:
    """May create checks in ``group`` (and change, pause, delete its checks)."""
    if is_manager(user):
        return True
    return group.unit_id is not None and (
        authz.has_role(user, MANAGER, group.unit_id)
        or authz.has_role(user, OPERATOR, group.unit_id)
    )


def may_operate(user, check: Check) -> bool:
    """May change, pause, resume and delete ``check`` and acknowledge its incidents."""
    return may_create_in(user, check.group)


def groups_creatable_by(user) -> QuerySet[ApplicationGroup]:
    """The groups ``user`` may create checks in: the choices of the check form and the API,
    the same rule as ``may_create_in``."""
    if is_manager(user):
        return ApplicationGroup.objects.all()
    return ApplicationGroup.objects.filter(unit__isnull=False).filter(
        authz.scope_q(user, MANAGER, field="unit") | authz.scope_q(user, OPERATOR, field="unit")
    )


def checks_operable_by(user) -> QuerySet[Check]:
    """The checks ``user`` may change (those of ``groups_creatable_by``)."""
    if is_manager(user):
        return Check.objects.all()
    return Check.objects.filter(group__in=groups_creatable_by(user))


def descendant_ids(check_id: int | None) -> set[int]:
    """The ids of the checks that depend on ``check_id``, directly or through others."""
    seen: set[int] = set()
    frontier = {check_id} if check_id else set()
    links = Check.depends_on.through.objects
    while frontier:
        children = set(
            links.filter(to_check_id__in=frontier).values_list("from_check_id", flat=True)
        )
        frontier = children - seen - {check_id}
        seen |= frontier
    return seen


def dependency_choices(user, check: Check | None = None) -> QuerySet[Check]:
    """The checks ``check`` may depend on for ``user``: those ``user`` may change, never
    ``check`` itself nor a check that depends on it (no cycle), plus its current parents."""
    found = checks_operable_by(user)
    if check is not None and check.pk:
        found = found.exclude(pk__in={check.pk, *descendant_ids(check.pk)})
        current = list(check.depends_on.values_list("pk", flat=True))
        if current:
            found = Check.objects.filter(Q(pk__in=found.values("pk")) | Q(pk__in=current))
    return found.select_related("group").order_by("group__order", "name", "pk")


def contact_rule_choices(user, check: Check | None = None) -> QuerySet[ContactRule]:
    """The contact rules ``user`` may give a check: every rule for a manager; else the rules
    of the groups ``user`` may create in, plus the check's current ones."""
    if is_manager(user):
        return ContactRule.objects.order_by("name", "pk")
    q = Q(groups__in=groups_creatable_by(user))
    if check is not None and check.pk:
        q |= Q(checks=check)
    ids = ContactRule.objects.filter(q).values("pk")
    return ContactRule.objects.filter(pk__in=ids).order_by("name", "pk")


def rules_visible_to(user) -> QuerySet[ContactRule]:
    """Contact rules (list and edit pages): managers only."""
    if not is_manager(user):
        return ContactRule.objects.none()
    return ContactRule.objects.order_by("name", "pk")


def windows_visible_to(user) -> QuerySet[MaintenanceWindow]:
    """Maintenance windows (list and edit pages): managers only."""
    if not is_manager(user):
        return MaintenanceWindow.objects.none()
    return MaintenanceWindow.objects.order_by("-starts_at", "pk")


def groups_manageable_by(user) -> QuerySet[ApplicationGroup]:
    """Application groups (list, create, change, delete pages): managers only."""
    if not is_manager(user):
        return ApplicationGroup.objects.none()
    return ApplicationGroup.objects.order_by("order", "code")


def group_unit_choices(group: ApplicationGroup | None = None) -> QuerySet[Organization]:
    """Units a group may belong to: the active units, plus the group's current one."""
    q = Q(is_active=True)
    if group is not None and group.unit_id:
        q |= Q(pk=group.unit_id)
    return Organization.objects.filter(q).order_by("sort_order", "code")


def shifts_visible_to(user) -> QuerySet[OnCallShift]:
    """On-call shifts (the rota pages): managers only."""
    if not is_manager(user):
        return OnCallShift.objects.none()
    return OnCallShift.objects.select_related("user").order_by("rota", "starts_at", "pk")


def templates_visible_to(user) -> QuerySet[AlertTemplate]:
    if not is_manager(user):
        return AlertTemplate.objects.none()
    return AlertTemplate.objects.order_by("code")


def people_choices() -> QuerySet[User]:
    """People an escalation step may name: active accounts."""
    return User.objects.filter(is_active=True).order_by("username")


def unit_choices() -> QuerySet[Organization]:
    """Units an escalation step may name (their head and deputies): active units."""
    return Organization.objects.filter(is_active=True).order_by("sort_order", "code")


def hour_start(when: datetime) -> datetime:
    """The start of the UTC hour of ``when`` (the buckets of ``HourlyUptime``)."""
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def uptime_ratios(check_ids: list[int], *, now: datetime | None = None) -> dict[int, dict]:
    """{check id: {"24h": ratio, "30d": ratio, "90d": ratio}} in four queries, none reading
    more than two hours of raw results per check:

    - 24 h: the ``HourlyUptime`` rows of the hours from 23 hours before the current hour up to
      the previous one, plus the raw results since the start of the previous hour (so an
      hourly rollup that has not run yet this hour loses nothing);
    - today (for 30 d / 90 d): the hourly rows since local midnight, plus the raw results of
      those two hours that fall after midnight;
    - 30 d / 90 d: the ``DailyUptime`` rollups of the days before today, plus today.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    raw_from = hour_start(now) - timedelta(hours=1)
    day_from = hour_start(now) - timedelta(hours=23)
    today_raw_from = max(raw_from, midnight)
    out: dict[int, dict] = {pk: {} for pk in check_ids}
    raw = {
        row["check_ref_id"]: row
        for row in CheckResult.objects.filter(check_ref_id__in=check_ids, at__gte=raw_from)
        .values("check_ref_id")
        .annotate(
            day_total=Count("id"),
            day_ok=Count("id", filter=Q(ok=True)),
            today_total=Count("id", filter=Q(at__gte=today_raw_from)),
            today_ok=Count("id", filter=Q(ok=True, at__gte=today_raw_from)),
        )
        .order_by()
    }
    hourly = {
        row["check_ref_id"]: row
        for row in HourlyUptime.objects.filter(
            check_ref_id__in=check_ids, hour__gte=min(day_from, midnight), hour__lt=raw_from
        )
        .values("check_ref_id")
        .annotate(
            day_total=Sum("total", filter=Q(hour__gte=day_from)),
            day_ok=Sum("ok", filter=Q(hour__gte=day_from)),
            today_total=Sum("total", filter=Q(hour__gte=midnight)),
            today_ok=Sum("ok", filter=Q(hour__gte=midnight)),
        )
        .order_by()
    }
    today_sums: dict[int, tuple[int, int]] = {}
    for pk in check_ids:
        parts = [part for part in (raw.get(pk), hourly.get(pk)) if part]
        total = sum(part["day_total"] or 0 for part in parts)
        ok = sum(part["day_ok"] or 0 for part in parts)
        out[pk]["24h"] = ok / total if total else None
        today_sums[pk] = (
            sum(part["today_total"] or 0 for part in parts),
            sum(part["today_ok"] or 0 for part in parts),
        )
    for days in (30, 90):
        rows = (
            DailyUptime.objects.filter(
                check_ref_id__in=check_ids, day__gt=today - timedelta(days=days), day__lt=today
            )
            .values("check_ref_id")
            .annotate(total=Sum("total"), ok=Sum("ok"))
        )
        sums = {row["check_ref_id"]: (row["total"] or 0, row["ok"] or 0) for row in rows}
        for pk in check_ids:
            total, ok = sums.get(pk, (0, 0))
            extra_total, extra_ok = today_sums[pk]
            total += extra_total
            ok += extra_ok
            out[pk][f"{days}d"] = ok / total if total else None
    return out


SPARKLINE_SQL = """
SELECT c.id, r.response_ms
FROM unnest(%s::bigint[]) AS c(id)
CROSS JOIN LATERAL (
    SELECT response_ms, at FROM monitoring_checkresult
    WHERE check_ref_id = c.id ORDER BY at DESC LIMIT %s
) AS r
ORDER BY c.id, r.at DESC
"""


def sparklines(check_ids: list[int], *, points: int = 20) -> dict[int, list[int]]:
    """The last ``points`` response times of each check (oldest first), in one query.

    On PostgreSQL a LATERAL join reads at most ``points`` rows of each check from the
    (check, -at) index (bounded: it never reads a check's whole history); elsewhere (SQLite,
    the embedded default) a window function numbers each check's rows."""
    out: dict[int, list[int]] = {pk: [] for pk in check_ids}
    if not check_ids:
        return out
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SPARKLINE_SQL, [list(check_ids), points])
            rows = cursor.fetchall()
    else:
        rows = (
            CheckResult.objects.filter(check_ref_id__in=check_ids)
            .annotate(
                n=Window(RowNumber(), partition_by=[F("check_ref_id")], order_by=F("at").desc())
            )
            .filter(n__lte=points)
            .order_by("check_ref_id", "-at")
            .values_list("check_ref_id", "response_ms")
        )
    for check_id, response_ms in rows:
        out[check_id].append(response_ms or 0)
    for values in out.values():
        values.reverse()
    return out


def state_counts(checks: QuerySet[Check]) -> dict[str, int]:
    counts = dict(checks.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in CheckState.values}


def open_incidents(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.exclude(state=IncidentState.RESOLVED)


def availability(checks: QuerySet[Check], start, end) -> list[list]:
    """[group, check, results, ok, percent] of each check over the days [start, end)."""
    sums = {
        row["check_ref_id"]: row
        for row in DailyUptime.objects.filter(check_ref__in=checks, day__gte=start, day__lt=end)
        .values("check_ref_id")
        .annotate(total=Sum("total"), ok=Sum("ok"))
    }
    out = []
    for check in checks.select_related("group").order_by("group__order", "name"):
        row = sums.get(check.pk, {"total": 0, "ok": 0})
        total, ok = row["total"] or 0, row["ok"] or 0
        out.append(
            [check.group.name, check.name, total, ok, f"{100 * ok / total:.3f}" if total else ""]
        )
    return out
