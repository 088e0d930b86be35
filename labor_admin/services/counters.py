"""The board's counters (``CaseDayCount``, ``CaseOpenCount``), kept exact by construction.

Every write that changes what the board counts calls ``counters_apply`` inside its own
transaction with the case's state before and after (``CaseState``): received day, closed day
and handling days, unit, county, type, open or not. The difference becomes increments:
``INSERT … ON CONFLICT … DO UPDATE SET n = n + EXCLUDED.n``: on PostgreSQL all of one change
in a single statement (one data-modifying ``WITH`` per row), on SQLite (≥ 3.24) one statement
per row, on another database an ``F()`` update with a create when the row is missing. Intake
takes them just before the unit's sequence row, so the row locks are short.

``counters_rebuild`` recomputes both tables from the cases, written in day order so that a
month's rows share few pages (new rows arrive in day order anyway) (``manage.py
rebuild_labor_counters``; the benchmark's loader and a repair after a raw SQL change).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ..models import Case, CaseDayCount, CaseOpenCount


class CaseState(NamedTuple):
    unit_id: int
    county_id: int
    case_type_id: int
    received_on: dt.date
    is_open: bool
    closed_on: dt.date | None
    handling_days: int | None

    @classmethod
    def of(cls, case: Case) -> CaseState:
        return cls(
            case.unit_id,
            case.county_id,
            case.case_type_id,
            case.received_on,
            case.is_open,
            case.closed_on,
            case.handling_days,
        )


def _contributions(state: CaseState | None, sign: int, day: dict, open_: dict) -> None:
    if state is None:
        return
    where = (state.unit_id, state.county_id, state.case_type_id)
    day[(state.received_on, *where)]["received"] += sign
    if state.is_open:
        open_[where]["open_cases"] += sign
    elif state.closed_on is not None:
        closed = day[(state.closed_on, *where)]
        closed["closed"] += sign
        closed["handling_days"] += sign * (state.handling_days or 0)


def counters_apply(before: CaseState | None, after: CaseState | None) -> None:
    """Move the counters from ``before`` (None: a new case) to ``after`` (None: removed)."""
    if before == after:
        return
    day: dict = defaultdict(lambda: defaultdict(int))
    open_: dict = defaultdict(lambda: defaultdict(int))
    _contributions(before, -1, day, open_)
    _contributions(after, +1, day, open_)
    bumps = [
        (CaseDayCount, _DAY_KEY, k, dict(v)) for k, v in sorted(day.items()) if any(v.values())
    ] + [
        (CaseOpenCount, _OPEN_KEY, k, dict(v)) for k, v in sorted(open_.items()) if any(v.values())
    ]
    if not bumps:
        return
    if connection.vendor == "postgresql":
        # One round trip: each upsert a data-modifying WITH (distinct rows, in key order).
        parts, params = zip(*(_upsert(*bump) for bump in bumps), strict=True)
        ctes = ", ".join(f"b{n} AS ({sql})" for n, sql in enumerate(parts))
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {ctes} SELECT 1", [p for ps in params for p in ps])  # noqa: S608
        return
    for bump in bumps:
        _bump(*bump)


_DAY_KEY = ("day", "unit_id", "county_id", "case_type_id")
_OPEN_KEY = ("unit_id", "county_id", "case_type_id")


_FIELDS = {
    CaseDayCount: ("received", "closed", "handling_days"),
    CaseOpenCount: ("open_cases",),
}


def _upsert(model, key_fields: tuple[str, ...], key: tuple, deltas: dict[str, int]):
    """``INSERT … ON CONFLICT … DO UPDATE SET n = n + EXCLUDED.n`` and its parameters."""
    fields = _FIELDS[model]
    table = model._meta.db_table
    columns = [*key_fields, *fields]
    sets = ", ".join(f"{f} = {table}.{f} + EXCLUDED.{f}" for f in fields)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names are ours
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {sets}"
    )
    return sql, [*key, *(deltas.get(f, 0) for f in fields)]


def _bump(model, key_fields: tuple[str, ...], key: tuple, deltas: dict[str, int]) -> None:
    fields = _FIELDS[model]
    values = [deltas.get(f, 0) for f in fields]
    if connection.vendor == "sqlite":  # SQLite ≥ 3.24 has the same upsert
        with connection.cursor() as cursor:
            cursor.execute(*_upsert(model, key_fields, key, deltas))
        return
    # Any other database: an F() increment, or a new row when there is none yet.
    lookup = dict(zip(key_fields, key, strict=True))
    increments = {f: F(f) + v for f, v in zip(fields, values, strict=True)}
    if model.objects.filter(**lookup).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **dict(zip(fields, values, strict=True)))
    except IntegrityError:  # created meanwhile by another transaction
        model.objects.filter(**lookup).update(**increments)


REBUILD_DAYS = """
INSERT INTO labor_admin_casedaycount
    (day, unit_id, county_id, case_type_id, received, closed, handling_days)
SELECT day, unit_id, county_id, case_type_id, sum(received), sum(closed), sum(days)
FROM (
    SELECT received_on AS day, unit_id, county_id, case_type_id,
           1 AS received, 0 AS closed, 0 AS days
    FROM labor_admin_case
    UNION ALL
    SELECT closed_on, unit_id, county_id, case_type_id, 0, 1, coalesce(handling_days, 0)
    FROM labor_admin_case WHERE NOT is_open AND closed_on IS NOT NULL
) AS parts
GROUP BY day, unit_id, county_id, case_type_id
ORDER BY day, unit_id, county_id, case_type_id
"""

REBUILD_OPEN = """
INSERT INTO labor_admin_caseopencount (unit_id, county_id, case_type_id, open_cases)
SELECT unit_id, county_id, case_type_id, count(*) FROM labor_admin_case
WHERE is_open GROUP BY unit_id, county_id, case_type_id
"""


@transaction.atomic
def counters_rebuild() -> tuple[int, int]:
    """Recompute both counter tables from the cases; writers of cases wait meanwhile
    (PostgreSQL: the cases are locked in SHARE mode), so the result is exact."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE labor_admin_case IN SHARE MODE")
            cursor.execute(
                "LOCK TABLE labor_admin_casedaycount, labor_admin_caseopencount "
                "IN ACCESS EXCLUSIVE MODE"
            )
        cursor.execute("DELETE FROM labor_admin_casedaycount")
        cursor.execute("DELETE FROM labor_admin_caseopencount")
        cursor.execute(REBUILD_DAYS)
        cursor.execute(REBUILD_OPEN)
    return CaseDayCount.objects.count(), CaseOpenCount.objects.count()
