"""Reads of the monitoring app: who sees which checks, the dashboard, history, uptime.

Access: a ``monitoring.manager`` sees everything; a ``monitoring.operator`` sees the checks of
the groups whose unit the role covers (``scope_q`` on ``group__unit``). Every page, the API,
the exports and the metrics endpoint read through ``checks_visible_to``/``incidents_visible_to``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts import authz

from .choices import CheckState, IncidentState
from .models import ApplicationGroup, Check, CheckResult, DailyUptime, Incident
from .roles import MANAGER, OPERATOR


def is_manager(user) -> bool:
    return authz.has_role(user, MANAGER)


def may_use(user) -> bool:
    """Whether the monitoring pages are for ``user`` at all."""
    return authz.has_role(user, MANAGER) or authz.has_role(user, OPERATOR)


def _group_q(user, field: str) -> Q:
    if authz.has_role(user, MANAGER):
        return Q(pk__isnull=False)
    return authz.scope_q(user, OPERATOR, field=field)


def groups_visible_to(user) -> QuerySet[ApplicationGroup]:
    return ApplicationGroup.objects.filter(_group_q(user, "unit"))


def checks_visible_to(user) -> QuerySet[Check]:
    return Check.objects.filter(_group_q(user, "group__unit"))


def incidents_visible_to(user) -> QuerySet[Incident]:
    return Incident.objects.filter(_group_q(user, "check_ref__group__unit"))


def may_operate(user, check: Check) -> bool:
    """May pause/resume ``check`` and acknowledge its incidents."""
    if authz.has_role(user, MANAGER):
        return True
    return check.group.unit_id is not None and authz.has_role(user, OPERATOR, check.group.unit)


def may_create_in(user, group: ApplicationGroup) -> bool:
    if authz.has_role(user, MANAGER):
        return True
    return group.unit_id is not None and authz.has_role(user, OPERATOR, group.unit)


def uptime_ratios(check_ids: list[int], *, now: datetime | None = None) -> dict[int, dict]:
    """{check id: {"24h": ratio, "30d": ratio, "90d": ratio}} from the daily rollups plus the
    raw results of today (one query each)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    out: dict[int, dict] = {pk: {} for pk in check_ids}
    recent = (
        CheckResult.objects.filter(check_ref_id__in=check_ids, at__gte=now - timedelta(hours=24))
        .values("check_ref_id")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(ok=True)))
    )
    for row in recent:
        out[row["check_ref_id"]]["24h"] = row["ok"] / row["total"] if row["total"] else None
    today_rows = {
        row["check_ref_id"]: row
        for row in CheckResult.objects.filter(check_ref_id__in=check_ids, at__date__gte=today)
        .values("check_ref_id")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(ok=True)))
    }
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
            extra = today_rows.get(pk)
            if extra:
                total += extra["total"]
                ok += extra["ok"]
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
