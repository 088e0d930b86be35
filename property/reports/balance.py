"""增減結存表 (statement of increases, decreases and balance) from the ledger.

For agencies A, register R and the period [from, to] (both inclusive), per classification
class (1 land … 5 miscellaneous):

- opening = sum of the postings dated before ``from``;
- increase = postings in the period of the increase categories (acquisition, transfer in,
  value increase), also broken down by category;
- decrease = minus the postings in the period of the decrease categories (scrap, loss,
  transfer out, value decrease), broken down by category;
- closing = opening + increase − decrease = the sum of the postings up to ``to``.

Each of quantity, area and value. One aggregate query per agency (the database streams the
ledger; nothing is held but the grouped sums), so the consolidated statement over every agency
is one pass per agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, DecimalField, IntegerField, Q, Sum, Value, When

from ..choices import DECREASE_CATEGORIES, INCREASE_CATEGORIES, PostingCategory
from ..constants import CLASS_NAMES
from ..models import Posting

FIGURES = ("quantity", "area", "value")
GROUPS = ("opening", "increase", "decrease", "closing")


def _zero() -> dict:
    return {"quantity": 0, "area": Decimal("0.00"), "value": Decimal(0)}


def _blank_row(class_digit: str) -> dict:
    name_zh, name_en = CLASS_NAMES.get(class_digit, (class_digit, class_digit))
    return {
        "classification": class_digit,
        "name_zh": name_zh,
        "name_en": name_en,
        **{g: _zero() for g in GROUPS},
        "increase_by": {c.value: _zero() for c in INCREASE_CATEGORIES},
        "decrease_by": {c.value: _zero() for c in DECREASE_CATEGORIES},
    }


def _sum_when(condition: Q, field: str):
    output = (
        IntegerField() if field == "quantity" else DecimalField(max_digits=20, decimal_places=2)
    )
    return Sum(Case(When(condition, then=field), default=Value(0), output_field=output))


def _aggregate(agency_id: int, register: str, date_from: dt.date, date_to: dt.date):
    before = Q(date__lt=date_from)
    annotations = {}
    for f in FIGURES:
        annotations[f"opening_{f}"] = _sum_when(before, f)
    for category in list(INCREASE_CATEGORIES) + list(DECREASE_CATEGORIES):
        cond = Q(date__gte=date_from, category=category.value)
        for f in FIGURES:
            annotations[f"{category.value}_{f}"] = _sum_when(cond, f)
    return (
        Posting.objects.filter(agency_id=agency_id, register=register, date__lte=date_to)
        .values("class_digit")
        .annotate(**annotations)
        .order_by("class_digit")
    )


def _add(target: dict, figures: dict, sign: int = 1) -> None:
    for f in FIGURES:
        target[f] += sign * figures[f]


def balance(
    *,
    agency_ids: Iterable[int],
    register: str,
    date_from: dt.date,
    date_to: dt.date,
    progress=None,
) -> dict:
    """``{"rows": [...], "total": {...}}`` as the API answers it; ``progress(done, total)`` is
    called after each agency (the consolidation job reports it)."""
    rows: dict[str, dict] = {}
    agency_ids = list(agency_ids)
    for done, agency_id in enumerate(agency_ids, start=1):
        for record in _aggregate(agency_id, register, date_from, date_to):
            row = rows.setdefault(record["class_digit"], _blank_row(record["class_digit"]))
            _add(row["opening"], {f: record[f"opening_{f}"] or 0 for f in FIGURES})
            for category in INCREASE_CATEGORIES:
                figures = {f: record[f"{category.value}_{f}"] or 0 for f in FIGURES}
                _add(row["increase"], figures)
                _add(row["increase_by"][category.value], figures)
            for category in DECREASE_CATEGORIES:
                figures = {f: record[f"{category.value}_{f}"] or 0 for f in FIGURES}
                _add(row["decrease"], figures, sign=-1)
                _add(row["decrease_by"][category.value], figures, sign=-1)
        if progress is not None:
            progress(done, len(agency_ids))
    total = _blank_row("")
    total["classification"] = "total"
    total["name_zh"], total["name_en"] = "合計", "Total"
    out_rows = []
    for digit in sorted(rows):
        row = rows[digit]
        for f in FIGURES:
            row["closing"][f] = row["opening"][f] + row["increase"][f] - row["decrease"][f]
        for group in GROUPS:
            _add(total[group], row[group])
        for c in row["increase_by"]:
            _add(total["increase_by"][c], row["increase_by"][c])
        for c in row["decrease_by"]:
            _add(total["decrease_by"][c], row["decrease_by"][c])
        out_rows.append(row)
    return {"rows": out_rows, "total": total}


def as_json(result: dict) -> dict:
    """Numbers as JSON numbers (area with two decimals, value in whole dollars)."""

    def fig(d):
        return {"quantity": int(d["quantity"]), "area": float(d["area"]), "value": int(d["value"])}

    def row(r):
        return {
            "classification": r["classification"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            **{g: fig(r[g]) for g in GROUPS},
            "increase_by": {k: fig(v) for k, v in r["increase_by"].items()},
            "decrease_by": {k: fig(v) for k, v in r["decrease_by"].items()},
        }

    return {"rows": [row(r) for r in result["rows"]], "total": row(result["total"])}


CATEGORY_LABELS = dict(PostingCategory.choices)
