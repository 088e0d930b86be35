"""Working days: Monday to Friday, minus public holidays, plus make-up working days.

The exceptions live in ``core.models.WorkCalendarDay`` (editable in the admin, loaded from the
calendar of the Directorate-General of Personnel Administration with
``manage.py load_work_calendar``). Every app computes its deadlines here.
"""

from __future__ import annotations

import datetime as dt

SATURDAY = 5


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from .models import WorkCalendarDay

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
    import csv
    import io

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
