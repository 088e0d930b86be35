"""Dates: the Minguo (ROC, 民國) calendar and working days.

ROC years: ``roc_year(day)`` (2026 is 115), ``format_roc_date(day)`` ("115年3月5日", or
"115/03/05" with ``style="short"``), ``parse_roc_date(text)`` (reads "115/3/5", "115-03-05",
"115.3.5", "115年3月5日", "民國115年3月5日" and "1150305"; raises ValueError otherwise).

Working days: Monday to Friday, minus public holidays, plus make-up working days. The exceptions
live in ``core.models.WorkCalendarDay`` (editable in the admin, loaded from the calendar of the
Directorate-General of Personnel Administration with ``manage.py load_work_calendar``, whose
file format ``parse_dgpa_csv`` reads). Every app computes its deadlines here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.utils import timezone

from .models import WorkCalendarDay

#: Gregorian year minus ROC year: ROC year 1 is 1912.
ROC_YEAR_OFFSET = 1911

# --- ROC (Minguo) years ----------------------------------------------------------------------


def _as_date(day: dt.date | dt.datetime | None) -> dt.date:
    if day is None:
        return timezone.localdate()
    if isinstance(day, dt.datetime):
        return timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day


def roc_year(day: dt.date | dt.datetime | None = None) -> int:
    """The ROC year of ``day`` (default: today in the site's time zone); an aware datetime is
    taken in the site's time zone first."""
    return _as_date(day).year - ROC_YEAR_OFFSET


def format_roc_date(day: dt.date | dt.datetime, *, style: str = "long") -> str:
    """``day`` in the ROC calendar: ``style="long"`` gives "115年3月5日", ``style="short"``
    gives "115/03/05" (year at least three digits, as on official documents)."""
    day = _as_date(day)
    year = day.year - ROC_YEAR_OFFSET
    if year < 1:
        raise ValueError(f"{day.isoformat()} is before the ROC calendar (1912-01-01).")
    if style == "long":
        return f"{year}年{day.month}月{day.day}日"
    if style == "short":
        return f"{year:03d}/{day.month:02d}/{day.day:02d}"
    raise ValueError(f"Unknown style {style!r}: use 'long' or 'short'.")


_ROC_SEPARATED = re.compile(r"(\d{1,3})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_ROC_WORDS = re.compile(r"(?:民國|中華民國)?\s*(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_ROC_COMPACT = re.compile(r"(\d{2,3})(\d{2})(\d{2})")


def parse_roc_date(text: str) -> dt.date:
    """The date written in ``text`` in the ROC calendar.

    Accepts "115/3/5", "115/03/05", "115-03-05", "115.3.5", "115年3月5日", "民國115年3月5日"
    and the compact "1150305" (seven digits, or six for years below 100). Surrounding spaces are
    ignored. Raises ValueError for anything else, for year 0 and for impossible days
    ("115/2/30").
    """
    value = (text or "").strip()
    match = (
        _ROC_SEPARATED.fullmatch(value)
        or _ROC_WORDS.fullmatch(value)
        or _ROC_COMPACT.fullmatch(value)
    )
    if match is None:
        raise ValueError(f"{text!r} is not a ROC date such as 115/3/5 or 115年3月5日.")
    groups = [g for g in match.groups() if g and g.isdigit()]
    year, month, day = (int(g) for g in groups)
    if year < 1:
        raise ValueError(f"{text!r}: the ROC year starts at 1.")
    try:
        return dt.date(year + ROC_YEAR_OFFSET, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date.") from exc


# --- working days ---------------------------------------------------------------------------

SATURDAY = 5


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(WorkCalendarDay.objects.between(start, end).values_list("date", "is_workday"))


def _is_workday(day: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < SATURDAY


def is_working_day(day: dt.date) -> bool:
    return _is_workday(day, _exceptions(day, day))


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself does not count).

    ``n == 0`` gives ``start`` when it is a working day, else the next working day.
    Negative ``n`` counts backwards. One query per ~year-sized window.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    window = max(remaining * 2 + 30, 60)
    day = start
    lo, hi = sorted([start, start + dt.timedelta(days=step * window)])
    exceptions = _exceptions(lo, hi)
    if remaining == 0:
        while not _is_workday(day, exceptions):
            day += dt.timedelta(days=1)
            if day > hi:
                lo, hi = day, day + dt.timedelta(days=window)
                exceptions = _exceptions(lo, hi)
        return day
    while remaining:
        day += dt.timedelta(days=step)
        if not (lo <= day <= hi):
            lo, hi = sorted([day, day + dt.timedelta(days=step * window)])
            exceptions = _exceptions(lo, hi)
        if _is_workday(day, exceptions):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start).

    ``working_days_between(d, add_working_days(d, n)) == n`` for n >= 0.
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    exceptions = _exceptions(lo, hi)
    count = 0
    day = lo + dt.timedelta(days=1)
    while day <= hi:
        if _is_workday(day, exceptions):
            count += 1
        day += dt.timedelta(days=1)
    return sign * count


# --- loading the DGPA calendar -------------------------------------------------------------

# The open-data file "中華民國政府行政機關辦公日曆表" (data.gov.tw, one file per year) has one
# row per day of the year: 西元日期 (YYYYMMDD), 星期 (一..日), 是否放假 (0 = office open,
# 2 = day off), 備註 (holiday name or 補班/補假 note). Published as UTF-8 (often with a BOM) or
# Big5/cp950; both are read.
DATE_COLUMNS = ("西元日期", "date")
OFF_COLUMNS = ("是否放假", "holiday", "is_holiday")
NOTE_COLUMNS = ("備註", "name", "description")


class CalendarFileError(ValueError):
    pass


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarFileError("The calendar file is neither UTF-8 nor Big5.")


def _pick(row: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in row and row[name] is not None:
            return row[name].strip()
    return None


def parse_dgpa_csv(raw: bytes) -> list[tuple[dt.date, bool, str]]:
    """Rows that differ from the ordinary week, plus named holidays on weekends:
    ``[(date, is_workday, name), ...]``. Raises CalendarFileError naming the line."""
    text = _decode(raw)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not any(c in reader.fieldnames for c in DATE_COLUMNS):
        raise CalendarFileError("Missing column 西元日期 (date).")
    entries = []
    for line, row in enumerate(reader, start=2):
        value = _pick(row, DATE_COLUMNS)
        flag = _pick(row, OFF_COLUMNS)
        note = _pick(row, NOTE_COLUMNS) or ""
        if not value:
            continue
        try:
            digits = value.replace("-", "").replace("/", "")
            if len(digits) != 8 or not digits.isdigit():
                raise ValueError(value)
            day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError as exc:
            raise CalendarFileError(f"Line {line}: bad date {value!r}.") from exc
        if flag not in {"0", "2"}:
            raise CalendarFileError(f"Line {line}: 是否放假 must be 0 or 2, not {flag!r}.")
        is_workday = flag == "0"
        ordinary = day.weekday() < SATURDAY
        if is_workday != ordinary or (not is_workday and note):
            entries.append((day, is_workday, note[:100]))
    return entries
