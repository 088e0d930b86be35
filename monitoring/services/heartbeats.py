"""Heartbeats: a job pings ``/ping/<uuid>`` (``/start``, ``/fail``); silence makes it late,
then down.

- ``ping_record``: a *success* ping counts toward the period and makes the check up (a fail
  made it down: it goes up at once, like healthchecks); *start* notes the time so the next
  success records the run time; *fail* makes it down at once. The body (up to
  ``PING_BODY_BYTES``) is kept with the ping. A paused check records the ping and stays paused.
- ``heartbeats_sweep``: for each heartbeat that is up or late, the deadline from its counted
  ping — the ``expected_pings``-th most recent success (so a check expecting 3 pings a day is
  late as soon as fewer than 3 came in the last period) — plus its period, or the next time
  its cron expression fires in its time zone (``schedules``); late after that, down after
  the grace. A run that started and did not finish within the grace is down too.
- ``ping_record_steady``: the common case in one SQL statement (PostgreSQL): a success ping
  of an enabled check that is already up and expects one ping per period changes no state,
  so the ping row and the check's counters are written by one ``INSERT … WITH UPDATE`` (one
  round trip, atomic by itself). Anything else answers False and takes ``ping_record``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import CheckKind, CheckState, PingKind
from ..constants import PING_BODY_BYTES
from ..models import Check, Ping
from ..schedules import heartbeat_due
from . import state
from .maintenance import in_maintenance


def _steady_sql() -> str:
    check, ping = Check._meta, Ping._meta

    def col(meta, name):
        return connection.ops.quote_name(meta.get_field(name).column)

    c, p = connection.ops.quote_name(check.db_table), connection.ops.quote_name(ping.db_table)
    # Only the models' own table and column names are interpolated; values are parameters.
    return f"""
        WITH target AS (
            SELECT {col(check, "id")} AS id, {col(check, "last_start_at")} AS started,
                   {col(check, "last_ping_at")} AS pinged
            FROM {c}
            WHERE {col(check, "uuid")} = %(key)s AND {col(check, "kind")} = %(heartbeat)s
              AND {col(check, "enabled")} AND {col(check, "state")} = %(up)s
              AND {col(check, "expected_pings")} = 1
        ), touched AS (
            UPDATE {c} SET {col(check, "last_checked_at")} = %(now)s,
                   {col(check, "last_ok")} = true, {col(check, "last_ping_at")} = %(now)s,
                   {col(check, "pings_in_period")} = {col(check, "pings_in_period")} + 1,
                   {col(check, "last_message")} = ''
            FROM target WHERE {c}.{col(check, "id")} = target.id
        )
        INSERT INTO {p} ({col(ping, "check_ref")}, {col(ping, "at")}, {col(ping, "kind")},
                         {col(ping, "duration_ms")}, {col(ping, "body")},
                         {col(ping, "remote_addr")})
        SELECT id, %(now)s, %(success)s,
               CASE WHEN started IS NOT NULL AND (pinged IS NULL OR started > pinged)
                    THEN (EXTRACT(EPOCH FROM (%(now)s - started)) * 1000)::integer END,
               %(body)s, %(addr)s
        FROM target
        RETURNING {col(ping, "check_ref")}
    """  # noqa: S608


_STEADY_SQL: list[str] = []


def ping_record_steady(
    *, key, body: str = "", remote_addr: str | None = None, now: datetime | None = None
) -> bool:
    """Record a success ping of the check ``key`` if nothing but its counters change (see the
    module's docstring); False when ``ping_record`` must take it (unknown key, another state,
    several pings expected, a paused check, SQLite)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    if not _STEADY_SQL:
        _STEADY_SQL.append(_steady_sql())
    params = {
        "key": key,
        "heartbeat": CheckKind.HEARTBEAT,
        "up": CheckState.UP,
        "success": PingKind.SUCCESS,
        "now": now or timezone.now(),
        "body": body[:PING_BODY_BYTES],
        "addr": remote_addr,
    }
    with connection.cursor() as cursor:
        cursor.execute(_STEADY_SQL[0], params)
        return cursor.fetchone() is not None


def ping_record(
    *,
    check: Check,
    kind: str = PingKind.SUCCESS,
    body: str = "",
    remote_addr: str | None = None,
    now: datetime | None = None,
) -> Ping:
    now = now or timezone.now()
    duration_ms = None
    if (
        kind == PingKind.SUCCESS
        and check.last_start_at
        and (check.last_ping_at is None or check.last_start_at > check.last_ping_at)
    ):
        duration_ms = int((now - check.last_start_at).total_seconds() * 1000)
    with transaction.atomic():
        ping = Ping.objects.create(
            check_ref=check,
            at=now,
            kind=kind,
            duration_ms=duration_ms,
            body=body[:PING_BODY_BYTES],
            remote_addr=remote_addr,
        )
        if kind == PingKind.START:
            Check.objects.filter(pk=check.pk).update(last_start_at=now)
            return ping
        updates = {"last_checked_at": now, "last_ok": kind == PingKind.SUCCESS}
        if kind == PingKind.SUCCESS:
            updates |= {"last_ping_at": now, "pings_in_period": F("pings_in_period") + 1}
            updates["last_message"] = ""
        else:
            updates["last_message"] = _("The job reported a failure.")
        Check.objects.filter(pk=check.pk).update(**updates)
        if not check.enabled:
            return ping
        check.last_message = updates["last_message"]
        if kind == PingKind.FAIL:
            target = CheckState.MAINTENANCE if in_maintenance(check, now) else CheckState.DOWN
        else:
            target = CheckState.UP
        if kind == PingKind.SUCCESS and check.expected_pings > 1:
            target = _state_at(check, now, last_counted=_counted_ping(check)) or CheckState.UP
        state.state_set(check=check, old=check.state, new=target, now=now, cause=check.last_message)
    return ping


def _counted_ping(check: Check) -> datetime | None:
    """The ``expected_pings``-th most recent success ping's time."""
    times = list(
        Ping.objects.filter(check_ref=check, kind=PingKind.SUCCESS)
        .order_by("-at")
        .values_list("at", flat=True)[: check.expected_pings]
    )
    if len(times) < check.expected_pings:
        return None
    return times[-1]


def _state_at(check: Check, now: datetime, *, last_counted: datetime | None) -> str | None:
    if last_counted is None:
        # Fewer pings than expected ever: judged from the first one.
        first = (
            check.pings.filter(kind=PingKind.SUCCESS)
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        if first is None:
            return None
        last_counted = first
    late_at, down_at = heartbeat_due(
        last_ping=last_counted,
        period_seconds=check.period_seconds,
        grace_seconds=check.grace_seconds,
        cron=check.cron,
        time_zone=check.time_zone,
    )
    if now >= down_at:
        return CheckState.DOWN
    if now >= late_at:
        return CheckState.LATE
    return CheckState.UP


def heartbeat_state(check: Check, now: datetime) -> str | None:
    """The state silence gives ``check`` at ``now`` (None: never pinged, nothing to judge)."""
    if check.last_ping_at is None:
        return None
    if check.last_start_at and check.last_start_at > check.last_ping_at:
        if now >= check.last_start_at + timedelta(seconds=check.grace_seconds):
            return CheckState.DOWN
    counted = check.last_ping_at if check.expected_pings <= 1 else _counted_ping(check)
    return _state_at(check, now, last_counted=counted)


def heartbeats_sweep(*, now: datetime | None = None) -> int:
    """Move every silent heartbeat to late or down; the number of changes."""
    now = now or timezone.now()
    changed = 0
    candidates = Check.objects.filter(
        kind=CheckKind.HEARTBEAT,
        enabled=True,
        state__in=[CheckState.UP, CheckState.LATE, CheckState.MAINTENANCE, CheckState.NEW],
        last_ping_at__isnull=False,
    )
    for check in candidates.iterator(chunk_size=500):
        target = heartbeat_state(check, now)
        if target is None:
            continue
        if target in (CheckState.DOWN, CheckState.LATE) and in_maintenance(check, now):
            target = CheckState.MAINTENANCE
        elif check.state == CheckState.MAINTENANCE and target == CheckState.UP:
            target = CheckState.UP
        if target == CheckState.DOWN and check.state != CheckState.DOWN:
            check.last_message = _("No ping since %(at)s") % {
                "at": timezone.localtime(check.last_ping_at).strftime("%Y-%m-%d %H:%M")
            }
            Check.objects.filter(pk=check.pk).update(last_message=check.last_message)
        if target != check.state and state.state_set(
            check=check, old=check.state, new=target, now=now, cause=check.last_message
        ):
            changed += 1
    return changed
