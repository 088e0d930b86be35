"""The one rule for showing and typing dates: 民國 (ROC) on Chinese pages, ISO in English.

On a page in Chinese a date is "115/03/05" and a month "115/03"; in English "2026-03-05" and
"2026-03". Date inputs follow the same rule (``core.widgets.LocalDateInput``): a text input
showing the date that way, with the format written next to it, that accepts in Chinese any
form ``core.dates.parse_roc_date`` reads (115/3/5, 115年3月5日, 1150305...) and ISO dates in
both languages. Templates use the filters of ``{% load mol %}`` (``local_date``,
``local_datetime``, ``local_month``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .dates import ROC_YEAR_OFFSET, format_roc_date, parse_roc_date


def chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def local_date(value) -> str:
    """``value`` (a date or datetime; aware datetimes in the site's time zone) as 115/03/05 in
    Chinese, 2026-03-05 in English; "" for None; anything else unchanged as text."""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    if day is None:
        return str(value)
    return format_roc_date(day, style="short") if chinese() else day.isoformat()


def local_datetime(value) -> str:
    """The date by ``local_date`` and the time as 24-hour HH:MM."""
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return local_date(value)
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local_date(moment.date())} {moment:%H:%M}"


def local_month(value) -> str:
    """A month as 115/03 in Chinese, 2026-03 in English."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    if chinese():
        return f"{day.year - ROC_YEAR_OFFSET:03d}/{day.month:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def date_input_hint() -> str:
    """The format a date input expects, written out for the person typing."""
    if chinese():
        return _("Format: year of the Republic/month/day, e.g. %(example)s") % {
            "example": "115/03/05"
        }
    return _("Format: year-month-day, e.g. %(example)s") % {"example": "2026-03-05"}


def parse_local_date(text: str) -> dt.date | None:
    """The date typed in ``text``: ISO (2026-03-05) in both languages, and in Chinese every
    form ``parse_roc_date`` accepts. None when it is not a date."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    if chinese():
        try:
            return parse_roc_date(value)
        except ValueError:
            return None
    return None
