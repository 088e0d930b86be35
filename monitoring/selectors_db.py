"""Database activity (資料庫共用系統): readings from PostgreSQL's statistics views.

For the portal's own database (Django's ``default`` connection) and every server in
``MONITORING_DATABASE_URLS`` (``psycopg`` connections of their own, read-only statements):

- connections per database, role and state (``pg_stat_activity``);
- queries running longer than ``MONITORING_LONG_QUERY_SECONDS`` and queries waiting for a lock
  with the pids blocking them (``pg_blocking_pids``);
- the top statements by total time (``pg_stat_statements``, when the extension is created in
  that database and the library is preloaded; otherwise the page says how to enable it);
- each database's size (``pg_database_size``) — daily samples in ``DatabaseSize`` give growth;
- replication lag: seconds behind for each replica on a primary (``pg_stat_replication``), or
  since the last replayed transaction on a replica.

A ``database`` check compares one reading of the portal's own server with its limit.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import psycopg
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from .choices import DatabaseMetric


class NotPostgres(Exception):
    pass


@dataclass
class Activity:
    server: str
    connections: list[dict] = field(default_factory=list)
    long_queries: list[dict] = field(default_factory=list)
    blocked: list[dict] = field(default_factory=list)
    statements: list[dict] | None = None
    sizes: list[dict] = field(default_factory=list)
    replication: list[dict] = field(default_factory=list)
    in_recovery: bool = False
    error: str = ""


CONNECTIONS_SQL = """
SELECT coalesce(datname, '') AS database, coalesce(usename, '') AS role,
       coalesce(state, '') AS state, count(*) AS n
FROM pg_stat_activity WHERE backend_type = 'client backend'
GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3
"""
LONG_SQL = """
SELECT pid, coalesce(datname, '') AS database, coalesce(usename, '') AS role,
       extract(epoch FROM now() - query_start)::float AS seconds, left(query, 300) AS query
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
  AND query_start < now() - make_interval(secs => %s)
ORDER BY query_start LIMIT 50
"""
BLOCKED_SQL = """
SELECT pid, coalesce(datname, '') AS database, coalesce(usename, '') AS role,
       pg_blocking_pids(pid) AS blocked_by,
       extract(epoch FROM now() - coalesce(state_change, query_start))::float AS seconds,
       left(query, 300) AS query
FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0
ORDER BY seconds DESC LIMIT 50
"""
STATEMENTS_SQL = """
SELECT left(query, 300) AS query, calls, total_exec_time::float AS total_ms,
       mean_exec_time::float AS mean_ms, rows
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20
"""
SIZES_SQL = """
SELECT datname AS database, pg_database_size(datname)::bigint AS bytes
FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 2 DESC
"""
REPLICATION_SQL = """
SELECT coalesce(application_name, '') AS name, coalesce(client_addr::text, '') AS address,
       coalesce(extract(epoch FROM replay_lag)::float, 0) AS seconds, state
FROM pg_stat_replication ORDER BY 1
"""
RECOVERY_LAG_SQL = """
SELECT pg_is_in_recovery(),
       coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float, 0)
"""


def _rows(cursor, sql: str, params=()) -> list[dict]:
    cursor.execute(sql, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _label(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 5432}{parsed.path}"


@contextmanager
def _cursor(url: str | None):
    if url is None:
        if connection.vendor != "postgresql":
            raise NotPostgres(_("Database activity is read from PostgreSQL only."))
        with connection.cursor() as cursor:
            yield cursor
        return
    with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn, conn.cursor() as cur:
        yield cur


def _statements(cursor) -> list[dict] | None:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if cursor.fetchone() is None:
        return None
    cursor.execute("SAVEPOINT monitoring_statements")
    try:
        rows = _rows(cursor, STATEMENTS_SQL)
    except psycopg.Error:  # created but not preloaded
        cursor.execute("ROLLBACK TO SAVEPOINT monitoring_statements")
        return None
    cursor.execute("RELEASE SAVEPOINT monitoring_statements")
    return rows


def activity(url: str | None = None) -> Activity:
    """Every reading of one server (``url`` None: the portal's own)."""
    reading = Activity(server=_label(url) if url else _("The portal's database"))
    try:
        with _cursor(url) as cursor:
            reading.connections = _rows(cursor, CONNECTIONS_SQL)
            reading.long_queries = _rows(cursor, LONG_SQL, [settings.MONITORING_LONG_QUERY_SECONDS])
            reading.blocked = _rows(cursor, BLOCKED_SQL)
            reading.sizes = _rows(cursor, SIZES_SQL)
            reading.replication = _rows(cursor, REPLICATION_SQL)
            cursor.execute(RECOVERY_LAG_SQL)
            in_recovery, lag = cursor.fetchone()
            reading.in_recovery = bool(in_recovery)
            if in_recovery:
                reading.replication = [
                    {"name": _("this replica"), "address": "", "seconds": lag, "state": ""}
                ]
            reading.statements = _statements(cursor)
    except NotPostgres:
        raise
    except (psycopg.Error, OSError) as exc:
        reading.error = str(exc)[:300]
    return reading


def activities() -> list[Activity]:
    readings = []
    try:
        readings.append(activity(None))
    except NotPostgres as exc:
        readings.append(Activity(server=_("The portal's database"), error=str(exc)))
    readings += [activity(url) for url in settings.MONITORING_DATABASE_URLS]
    return readings


def metric_value(metric: str) -> float:
    """One reading of the portal's own server, for a ``database`` check."""
    with _cursor(None) as cursor:
        if metric == DatabaseMetric.CONNECTIONS:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            )
        elif metric == DatabaseMetric.LONG_QUERIES:
            cursor.execute(
                f"SELECT count(*) FROM ({LONG_SQL}) AS long",  # noqa: S608 - constant text
                [settings.MONITORING_LONG_QUERY_SECONDS],
            )
        elif metric == DatabaseMetric.BLOCKED:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0"
            )
        elif metric == DatabaseMetric.SIZE_MB:
            cursor.execute("SELECT pg_database_size(current_database()) / 1048576.0")
        elif metric == DatabaseMetric.REPLICATION_LAG:
            cursor.execute(
                "SELECT greatest(coalesce((SELECT max(extract(epoch FROM replay_lag)) "
                "FROM pg_stat_replication), 0), CASE WHEN pg_is_in_recovery() THEN "
                "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) "
                "ELSE 0 END)"
            )
        else:
            raise ValueError(metric)
        return float(cursor.fetchone()[0] or 0)
