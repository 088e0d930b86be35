"""Loading the local labour-administration units into the organisation tree.

The file is UTF-8 CSV (a BOM is fine) with the header
``code,parent_code,name_zh,name_en,kind,county_code``: one unit per line; ``parent_code``
empty for a county authority (a root of its own), else the code of the unit above (a county
authority, or a ministry agency such as ``OSHA``/``WDA`` for their branches, listed in any
order as long as the parent is in the tree or in the file); ``kind`` an
``core.OrganizationKind`` value (``local_office`` for local units); ``county_code`` the
five-digit code of ``core.County`` (required for ``local_office``). The load is all or
nothing: every bad line is reported with its number and nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core.choices import OrganizationKind
from core.models import County, Organization
from core.services import organization_upsert

COLUMNS = ("code", "parent_code", "name_zh", "name_en", "kind", "county_code")
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "labor_units.csv"


@dataclass
class UnitLoadReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError("missing columns: " + ", ".join(missing))
    return [
        (n, {k: (v or "").strip() for k, v in row.items() if k})
        for n, row in enumerate(reader, start=2)
    ]


def labor_units_load(*, text: str, sort_base: int = 10000) -> UnitLoadReport:
    """Create or update the units of ``text`` (the CSV above)."""
    report = UnitLoadReport()
    try:
        rows = _rows(text.lstrip("\ufeff"))
    except ValueError as exc:
        report.errors.append(str(exc))
        return report
    counties = {c.code: c for c in County.objects.all()}
    known = set(Organization.objects.values_list("code", flat=True))
    in_file = {row["code"] for _n, row in rows}
    kinds = set(OrganizationKind.values)
    for line, row in rows:
        if not row["code"] or not row["name_zh"]:
            report.errors.append(f"line {line}: code and name_zh are required")
        if row["kind"] not in kinds:
            report.errors.append(f"line {line}: unknown kind {row['kind']!r}")
        if row["parent_code"] and row["parent_code"] not in known | in_file:
            report.errors.append(f"line {line}: unknown parent {row['parent_code']!r}")
        if row["county_code"] and row["county_code"] not in counties:
            report.errors.append(f"line {line}: unknown county {row['county_code']!r}")
        if row["kind"] == OrganizationKind.LOCAL_OFFICE and not row["county_code"]:
            report.errors.append(f"line {line}: a local office needs its county_code")
    if report.errors:
        return report
    pending = list(rows)
    with transaction.atomic():
        while pending:
            progress = False
            for item in list(pending):
                line, row = item
                parent = None
                if row["parent_code"]:
                    parent = Organization.objects.filter(code=row["parent_code"]).first()
                    if parent is None:
                        continue
                existed = row["code"] in known
                organization_upsert(
                    code=row["code"],
                    name_zh=row["name_zh"],
                    name_en=row["name_en"],
                    kind=row["kind"],
                    parent=parent,
                    county=counties.get(row["county_code"]),
                    sort_order=sort_base + line,
                )
                known.add(row["code"])
                report.updated += existed
                report.created += not existed
                pending.remove(item)
                progress = True
            if not progress:
                report.errors.append("the parents of some units form a cycle")
                transaction.set_rollback(True)
                return report
    return report
