"""Bulk CSV import for units moving off spreadsheets: all or nothing, with a report.

The file is UTF-8 (BOM allowed) or Big5 CSV with a header. Columns: ``case_type`` (code),
``received_on`` (2026-03-05 or 115/3/5), ``subject``, ``applicant_name`` and optionally
``applicant_phone``, ``employer_name``, ``employer_business_id``, ``industry`` (division code),
``county`` (code), ``external_id``; every other column is a field of the case type (its code,
e.g. ``dispute_kind``; an empty cell is no value). Each line goes through ``case_create``
(the same checks as the form and the API); when any line fails, nothing is saved and the
report lists every problem by line and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import parse_roc_date
from core.models import Organization

from ..choices import CaseSource
from ..constants import WRITE_ROLES
from ..selectors import case_type_by_code, covers
from .cases import case_create

COMMON = (
    "case_type",
    "received_on",
    "subject",
    "applicant_name",
    "applicant_phone",
    "employer_name",
    "employer_business_id",
    "industry",
    "county",
    "external_id",
)
REQUIRED = ("case_type", "subject", "applicant_name")
MAX_ROWS = 20000


@dataclass
class ImportProblem:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return parse_roc_date(text)


def cases_import(*, unit: Organization, actor, raw: bytes) -> ImportReport:
    """Import every line of ``raw`` into ``unit``; see the module docstring."""
    if actor is not None and not covers(actor, unit, WRITE_ROLES):
        raise PermissionDenied(_("You may not take in cases for this unit."))
    report = ImportReport()
    try:
        text = _decode(raw)
    except ValueError:
        report.problems.append(ImportProblem(0, "file", _("The file is neither UTF-8 nor Big5.")))
        return report
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in (reader.fieldnames or []) if h]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        report.problems.append(
            ImportProblem(
                1, "file", _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
            )
        )
        return report
    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.problems.append(
                    ImportProblem(
                        line, "file", _("At most %(n)s lines per file.") % {"n": MAX_ROWS}
                    )
                )
                break
            _import_line(unit=unit, actor=actor, line=line, row=row, report=report)
        if report.problems:
            transaction.set_rollback(True)
            report.created = 0
    return report


def _import_line(*, unit, actor, line: int, row: dict, report: ImportReport) -> None:
    case_type = case_type_by_code(row.get("case_type", ""))
    if case_type is None:
        report.problems.append(
            ImportProblem(
                line,
                "case_type",
                _("“%(value)s” is not a case type code.") % {"value": row.get("case_type", "")},
            )
        )
        return
    values = {k: row[k] for k in COMMON if k in row and k not in ("case_type", "external_id")}
    if row.get("received_on"):
        try:
            values["received_on"] = _date(row["received_on"])
        except ValueError:
            report.problems.append(
                ImportProblem(
                    line,
                    "received_on",
                    _("“%(value)s” is not a date.") % {"value": row["received_on"]},
                )
            )
            return
    else:
        values.pop("received_on", None)
    values["data"] = {k: v for k, v in row.items() if k not in COMMON and v != ""}
    try:
        with transaction.atomic():
            case_create(
                actor=actor,
                unit=unit,
                case_type=case_type,
                values=values,
                source=CaseSource.IMPORT,
                external_id=row.get("external_id", ""),
            )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.problems.append(ImportProblem(line, name, message))
        return
    report.created += 1
