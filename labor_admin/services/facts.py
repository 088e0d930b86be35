"""The daily aggregation the decision app reads (``DailyFact``).

``daily_facts_build(day=)`` rebuilds the facts of one day from the cases, in one transaction:
for every (unit, county, case type, industry sector, status) — the status as it is when the
job runs — the cases received that day, closed that day (with their handling days), open at
the end of the day and, of those, overdue (due before the day). Re-running a day replaces its
rows, so the job is idempotent and a late correction is picked up by rebuilding the day.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q, Sum

from ..models import Case, DailyFact

KEY = ("unit_id", "county_id", "case_type_id", "industry_sector", "status_id")


@transaction.atomic
def daily_facts_build(*, day: dt.date) -> int:
    """Rebuild the facts of ``day``; returns the number of rows written."""
    rows: dict[tuple, dict] = {}

    def merge(qs, **measures):
        for row in qs.values(*KEY).annotate(**measures):
            key = tuple(row[k] for k in KEY)
            slot = rows.setdefault(key, {})
            for name in measures:
                slot[name] = slot.get(name, 0) + (row[name] or 0)

    merge(Case.objects.filter(received_on=day), received=Count("pk"))
    merge(
        Case.objects.filter(closed_on=day), closed=Count("pk"), handling_days=Sum("handling_days")
    )
    merge(
        Case.objects.filter(received_on__lte=day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        ),
        open_cases=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=day)),
    )
    DailyFact.objects.filter(day=day).delete()
    DailyFact.objects.bulk_create(
        [
            DailyFact(day=day, **dict(zip(KEY, key, strict=True)), **values)
            for key, values in rows.items()
        ],
        batch_size=2000,
    )
    return len(rows)
