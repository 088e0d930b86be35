"""iCalendar (RFC 5545) text of meetings: the per-meeting invitation and the attendee's
subscription feed. The text rules (folding, escaping, UTC times) are ``core.ical``'s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from core import ical as core_ical
from core.ical import text, utc

PRODID = "-//MOL Portal//meetings//ZH-TW"


def event_lines(meeting, *, host: str, url: str) -> list[str]:
    start = meeting.starts_at
    end = meeting.ends_at or start + dt.timedelta(hours=2)
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{utc(timezone.now())}",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(end)}",
        f"SUMMARY:{text(meeting.title)}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{text(meeting.place)}")
    lines += [f"URL:{url}", "END:VEVENT"]
    return lines


def calendar(events: Iterable[list[str]], *, name: str = "", method: str = "PUBLISH") -> str:
    return core_ical.calendar(events, prodid=PRODID, name=name, method=method)
