"""The HR feed format: parse CSV or JSON lines into validated records.

Pure functions, no database: a row that breaks a rule becomes a :class:`RowError` naming its
line, field and reason; every other row becomes an :class:`HRRecord`. Checks that need the
database (the unit code exists, the login name is free) are made by ``services``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ..choices import EmploymentStatus, UnitOfficerKind
from .choices import FeedFormat
from .constants import FEED_FIELDS, FIELD_ALIASES, REQUIRED_COLUMNS

EMPLOYEE_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MOBILE_RE = re.compile(r"^\+?[0-9]{8,15}$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Minguo (民國) dates as Taiwanese HR systems export them: 115/11/01 is 2026-11-01.
ROC_DATE_RE = re.compile(r"^(\d{2,3})/(\d{1,2})/(\d{1,2})$")
ROC_OFFSET = 1911

# Status words accepted beside the codes (case-insensitive; spaces and hyphens as "_").
STATUS_ALIASES = {
    "在職": EmploymentStatus.ACTIVE,
    "留職停薪": EmploymentStatus.ON_LEAVE,
    "留停": EmploymentStatus.ON_LEAVE,
    "離職": EmploymentStatus.LEFT,
    "退休": EmploymentStatus.LEFT,
}


# Words accepted for ``unit_role`` beside the codes (empty: neither head nor deputy).
UNIT_ROLE_ALIASES = {
    "主管": UnitOfficerKind.HEAD,
    "正主管": UnitOfficerKind.HEAD,
    "副主管": UnitOfficerKind.DEPUTY,
}


class FeedError(Exception):
    """The feed as a whole cannot be read (empty, wrong encoding, missing columns, ...)."""


@dataclass(frozen=True)
class HRRecord:
    """One person's whole current record, as the HR system states it."""

    employee_number: str
    status: str
    effective_date: date
    unit_code: str = ""
    username: str = ""
    name_zh: str = ""
    name_en: str = ""
    title: str = ""
    email: str = ""
    mobile: str = ""
    # head or deputy of the unit ``unit_code``; empty: neither.
    unit_role: str = ""
    line: int | None = None
    # The optional fields the source stated. A CSV column or JSON key that is absent leaves
    # that field of the account alone; one that is present but empty clears it.
    present: frozenset[str] = frozenset(FEED_FIELDS)


@dataclass(frozen=True)
class RowError:
    """Why one row (``line``, 1-based, counting the CSV header) was not applied."""

    line: int | None
    field: str
    code: str
    reason: str
    employee_number: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParsedFeed:
    format: str
    records: list[HRRecord]
    errors: list[RowError]
    # Employee numbers named by any row, valid or not: nobody named in the feed counts as
    # "missing from it" (see HR_FEED_DEACTIVATE_MISSING).
    named: set[str]


def parse_date(value: str) -> date | None:
    """ISO ``YYYY-MM-DD`` or Minguo ``YYY/MM/DD``; None when it is neither or no real date."""
    value = value.strip()
    match = ISO_DATE_RE.match(value)
    offset = 0
    if match is None:
        match = ROC_DATE_RE.match(value)
        offset = ROC_OFFSET
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year + offset, month, day)
    except ValueError:
        return None


def normalize_status(value: str) -> str | None:
    raw = value.strip()
    if raw in STATUS_ALIASES:
        return str(STATUS_ALIASES[raw])
    code = raw.lower().replace(" ", "_").replace("-", "_")
    return code if code in EmploymentStatus.values else None


def normalize_unit_role(value: str) -> str | None:
    """``head``, ``deputy`` or ``""`` (neither); None for anything else."""
    raw = value.strip()
    if raw in UNIT_ROLE_ALIASES:
        return str(UNIT_ROLE_ALIASES[raw])
    code = raw.lower()
    return code if code in ("", *UnitOfficerKind.values) else None


def normalize_mobile(value: str) -> str:
    return re.sub(r"[\s\-().]", "", value)


def canonical_field(name: str) -> str:
    key = (name or "").strip().lower().lstrip("\ufeff")
    return FIELD_ALIASES.get(key, key)


def validate_row(values: dict[str, str], *, line: int | None) -> tuple[HRRecord | None, list]:
    """Check one row of already-stringified values; return the record or the row's errors."""
    errors: list[RowError] = []
    number = (values.get("employee_number") or "").strip()

    def fail(field, code, reason):
        errors.append(
            RowError(line=line, field=field, code=code, reason=str(reason), employee_number=number)
        )

    if not number:
        fail("employee_number", "required", _("The employee number is missing."))
    elif not EMPLOYEE_NUMBER_RE.match(number):
        fail(
            "employee_number",
            "invalid",
            _("The employee number must be 1 to 20 letters, digits, dots, hyphens or underscores."),
        )

    raw_status = (values.get("status") or "").strip()
    status = normalize_status(raw_status) if raw_status else None
    if not raw_status:
        fail("status", "required", _("The status is missing."))
    elif status is None:
        fail(
            "status",
            "invalid",
            _('The status "%(value)s" is not one of active, on_leave, left.')
            % {"value": raw_status},
        )

    raw_date = (values.get("effective_date") or "").strip()
    effective = parse_date(raw_date) if raw_date else None
    if not raw_date:
        fail("effective_date", "required", _("The effective date is missing."))
    elif effective is None:
        fail(
            "effective_date",
            "invalid",
            _('The effective date "%(value)s" is not a date (YYYY-MM-DD, or 民國 YYY/MM/DD).')
            % {"value": raw_date},
        )

    unit_code = (values.get("unit_code") or "").strip()
    if not unit_code and status != EmploymentStatus.LEFT:
        fail("unit_code", "required", _("The unit code is missing."))

    email = (values.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", "invalid", _("The e-mail address is not valid."))

    mobile = normalize_mobile(values.get("mobile") or "")
    if mobile and not MOBILE_RE.match(mobile):
        fail(
            "mobile",
            "invalid",
            _("The mobile number must be 8 to 15 digits, optionally starting with +."),
        )

    raw_unit_role = values.get("unit_role") or ""
    unit_role = normalize_unit_role(raw_unit_role)
    if unit_role is None:
        fail(
            "unit_role",
            "invalid",
            _('The unit role "%(value)s" is not one of head, deputy or empty.')
            % {"value": raw_unit_role.strip()},
        )

    if errors:
        return None, errors
    record = HRRecord(
        employee_number=number,
        status=status,
        effective_date=effective,
        unit_code=unit_code,
        username=(values.get("username") or "").strip(),
        name_zh=(values.get("name_zh") or "").strip(),
        name_en=(values.get("name_en") or "").strip(),
        title=(values.get("title") or "").strip(),
        email=email,
        mobile=mobile,
        unit_role=unit_role,
        line=line,
        present=frozenset(key for key in values if key in FEED_FIELDS),
    )
    return record, []


def detect_format(*, fmt: str, name: str = "", content_type: str = "", text: str = "") -> str:
    if fmt and fmt != FeedFormat.AUTO:
        return fmt
    lowered = (name or "").lower().split("?", 1)[0]
    if lowered.endswith(".csv"):
        return FeedFormat.CSV
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return FeedFormat.JSONL
    ctype = (content_type or "").lower()
    if "csv" in ctype:
        return FeedFormat.CSV
    if "json" in ctype:
        return FeedFormat.JSONL
    return FeedFormat.JSONL if text.lstrip().startswith("{") else FeedFormat.CSV


def decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except LookupError as exc:
        raise FeedError(_("Unknown feed encoding %(name)s.") % {"name": encoding}) from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FeedError(
            _("The feed is not valid %(encoding)s text (line %(line)s).")
            % {"encoding": encoding, "line": line}
        ) from exc
    return text.removeprefix("\ufeff")


def parse_feed(
    data: bytes,
    *,
    fmt: str = FeedFormat.AUTO,
    encoding: str = "utf-8-sig",
    name: str = "",
    content_type: str = "",
) -> ParsedFeed:
    """Parse a whole feed. Raises :class:`FeedError` only when no row can be trusted."""
    text = decode(data, encoding)
    if not text.strip():
        raise FeedError(_("The feed is empty."))
    kind = detect_format(fmt=fmt, name=name, content_type=content_type, text=text)
    if kind == FeedFormat.CSV:
        return _parse_csv(text)
    return _parse_jsonl(text)


def _collect(kind: str, rows) -> ParsedFeed:
    feed = ParsedFeed(format=kind, records=[], errors=[], named=set())
    for line, values, early_errors in rows:
        number = (values.get("employee_number") or "").strip() if values else ""
        if number:
            feed.named.add(number)
        if early_errors:
            feed.errors.extend(early_errors)
            continue
        record, errors = validate_row(values, line=line)
        if record is not None:
            feed.records.append(record)
        feed.errors.extend(errors)
    return feed


def _parse_csv(text: str) -> ParsedFeed:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except StopIteration as exc:
        raise FeedError(_("The feed is empty.")) from exc
    except csv.Error as exc:
        raise FeedError(_("The CSV header cannot be read: %(error)s") % {"error": exc}) from exc
    columns = [canonical_field(name) for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise FeedError(
            _("The CSV header lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )

    def rows():
        previous = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line = previous + 1
                previous = reader.line_num
                error = RowError(
                    line=line,
                    field="",
                    code="syntax",
                    reason=_("The CSV row cannot be read: %(error)s") % {"error": exc},
                )
                yield line, {}, [error]
                continue
            line = previous + 1
            previous = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                column: cell
                for column, cell in zip(columns, cells, strict=False)
                if column in FEED_FIELDS
            }
            if len(cells) != len(columns):
                error = RowError(
                    line=line,
                    field="",
                    code="columns",
                    reason=_("The row has %(cells)s fields; the header has %(columns)s.")
                    % {"cells": len(cells), "columns": len(columns)},
                    employee_number=(values.get("employee_number") or "").strip(),
                )
                yield line, values, [error]
                continue
            yield line, values, []

    return _collect(FeedFormat.CSV, rows())


def _parse_jsonl(text: str) -> ParsedFeed:
    if text.lstrip().startswith("["):
        raise FeedError(_("Expected JSON lines (one object per line), not one JSON array."))

    def rows():
        for index, raw in enumerate(text.split("\n"), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                error = RowError(
                    line=index,
                    field="",
                    code="syntax",
                    reason=_("The line is not valid JSON: %(error)s")
                    % {"error": getattr(exc, "msg", str(exc))},
                )
                yield index, {}, [error]
                continue
            if not isinstance(obj, dict):
                error = RowError(
                    line=index,
                    field="",
                    code="syntax",
                    reason=_("Each line must be a JSON object."),
                )
                yield index, {}, [error]
                continue
            values, errors = {}, []
            for key, value in obj.items():
                field = canonical_field(key)
                if field not in FEED_FIELDS:
                    continue
                if value is None:
                    values[field] = ""
                elif isinstance(value, str):
                    values[field] = value
                else:
                    errors.append(
                        RowError(
                            line=index,
                            field=field,
                            code="type",
                            reason=_("%(field)s must be a string, not %(type)s.")
                            % {"field": field, "type": type(value).__name__},
                        )
                    )
            if errors:
                number = values.get("employee_number", "").strip()
                errors = [RowError(**{**e.as_dict(), "employee_number": number}) for e in errors]
            yield index, values, errors

    return _collect(FeedFormat.JSONL, rows())
