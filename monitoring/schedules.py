"""When a heartbeat is due: a period, or a cron expression read in the check's time zone.

``heartbeat_due(...)`` gives the moment the next ping is expected (the check is *late*
from then) and the moment it is *down* (that plus the grace). A cron schedule is evaluated in
its own time zone (croniter with zone-aware datetimes), so ``0 2 * * *`` in Asia/Taipei is
18:00 UTC the day before, and a schedule in Europe/Berlin follows its summer time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone %(zone)s.") % {"zone": name}) from exc


def cron_validate(expression: str, time_zone: str) -> None:
    zone(time_zone)
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValidationError(
            _("Enter a cron expression of five fields, e.g. %(example)s.")
            % {"example": "*/15 * * * *"}
        )


def cron_next(expression: str, time_zone: str, after: datetime) -> datetime:
    """The first time the schedule fires strictly after ``after`` (an aware datetime)."""
    try:
        local = after.astimezone(zone(time_zone))
        return croniter(expression, local).get_next(datetime)
    except CroniterError as exc:
        raise ValidationError(str(exc)) from exc


def heartbeat_due(
    *,
    last_ping: datetime,
    period_seconds: int,
    grace_seconds: int,
    cron: str = "",
    time_zone: str = "UTC",
) -> tuple[datetime, datetime]:
    """(late_at, down_at) for a heartbeat whose counted ping came at ``last_ping``."""
    if cron:
        expected = cron_next(cron, time_zone, last_ping)
    else:
        expected = last_ping + timedelta(seconds=period_seconds)
    return expected, expected + timedelta(seconds=grace_seconds)
