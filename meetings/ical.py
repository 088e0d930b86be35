"""iCalendar (RFC 5545) text of meetings: the per-meeting invitation and the attendee's
subscription feed. Lines end in CRLF and are folded at 75 octets (never inside a UTF-8
character); TEXT values escape backslash, semicolon, comma and newlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

STAMP = "%Y%m%dT%H%M%SZ"
PRODID = "-//MOL Portal//meetings//ZH-TW"
FOLD_OCTETS = 75


def text(value: str) -> str:
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded: at most 75 octets per physical line, continuation lines begin with a
    space (which counts in the 75)."""
    out, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        limit = FOLD_OCTETS if not out else FOLD_OCTETS - 1
        if size + octets > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += octets
    out.append(current)
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(STAMP)


def event_lines(meeting, *, host: str, url: str) -> list[str]:
    start = meeting.starts_at
    end = meeting.ends_at or start + dt.timedelta(hours=2)
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{text(meeting.title)}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{text(meeting.place)}")
    lines += [f"URL:{url}", "END:VEVENT"]
    return lines


def calendar(events: Iterable[list[str]], *, name: str = "", method: str = "PUBLISH") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{text(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
