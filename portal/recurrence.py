"""Recurrence rules of room bookings, expanded to occurrences (pure: no database).

- ``daily``: every day from the first booking's date;
- ``weekly``: the chosen weekdays (0 Monday … 6 Sunday; default: the first booking's weekday),
  every week, from the first booking's date on (a first date that is not one of the chosen
  weekdays is not booked);
- ``monthly``: the first booking's day of the month, every month; a month without that day
  (the 31st in April) is left out, as RFC 5545 ``BYMONTHDAY`` does.

The series ends ``until`` a date (inclusive) or after ``count`` occurrences (one of the two).
Every occurrence keeps the first booking's wall-clock times in Asia/Taipei and its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Frequency
from .constants import MAX_OCCURRENCES


@dataclass(frozen=True)
class Recurrence:
    freq: str
    count: int | None = None
    until: dt.date | None = None
    weekdays: tuple[int, ...] = field(default_factory=tuple)

    def validate(self) -> None:
        errors = []
        if self.freq not in Frequency.values:
            errors.append(_("Choose daily, weekly or monthly."))
        if (self.count is None) == (self.until is None):
            errors.append(_("Give either a number of occurrences or an end date, not both."))
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            errors.append(
                _("The number of occurrences must be between 1 and %(max)d.")
                % {"max": MAX_OCCURRENCES}
            )
        if any(day not in range(7) for day in self.weekdays):
            errors.append(_("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."))
        if self.weekdays and self.freq != Frequency.WEEKLY:
            errors.append(_("Weekdays apply to weekly series only."))
        if errors:
            raise ValidationError({"recurrence": errors})

    def dates(self, first: dt.date) -> list[dt.date]:
        """The occurrence dates from ``first`` on. Raises ``ValidationError`` (field
        ``recurrence``) for a bad rule, an end before ``first`` or too many occurrences."""
        self.validate()
        if self.until is not None and self.until < first:
            raise ValidationError(
                {"recurrence": [_("The series must end on or after its first date.")]}
            )
        out: list[dt.date] = []
        for day in self._candidates(first):
            if self.until is not None and day > self.until:
                break
            out.append(day)
            if self.count is not None and len(out) == self.count:
                break
            if len(out) > MAX_OCCURRENCES:
                raise ValidationError(
                    {
                        "recurrence": [
                            _("A series has at most %(max)d occurrences; end it earlier.")
                            % {"max": MAX_OCCURRENCES}
                        ]
                    }
                )
        if not out:
            raise ValidationError({"recurrence": [_("The series has no date to book.")]})
        return out

    def _candidates(self, first: dt.date):
        if self.freq == Frequency.DAILY:
            day = first
            while True:
                yield day
                day += dt.timedelta(days=1)
        elif self.freq == Frequency.WEEKLY:
            chosen = set(self.weekdays or (first.weekday(),))
            day = first
            # A bound for "until" rules whose weekdays never come (cannot happen: 7 days).
            while True:
                if day.weekday() in chosen:
                    yield day
                day += dt.timedelta(days=1)
        else:
            year, month = first.year, first.month
            for _step in range(MAX_OCCURRENCES * 2):
                try:
                    yield dt.date(year, month, first.day)
                except ValueError:
                    pass  # no such day this month
                month += 1
                if month == 13:
                    year, month = year + 1, 1

    def occurrences(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """``(start, end)`` of every occurrence, aware, in the current time zone (Asia/Taipei),
        each as long as the first."""
        local_start = timezone.localtime(start)
        length = end - start
        wall = local_start.time().replace(tzinfo=None)
        out = []
        for day in self.dates(local_start.date()):
            occ_start = timezone.make_aware(dt.datetime.combine(day, wall))
            out.append((occ_start, occ_start + length))
        return out
