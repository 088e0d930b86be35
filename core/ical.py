"""iCalendar (RFC 5545) text, in one place for every app's invitations and feeds: lines end in
CRLF and are folded at 75 octets (never inside a UTF-8 character); TEXT values escape
backslash, semicolon, comma and newlines; times are written in UTC. The apps build their
events' lines (``meetings.ical``, ``portal.ical``) and wrap them with ``calendar``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

STAMP = "%Y%m%dT%H%M%SZ"
FOLD_OCTETS = 75


def text(value: str) -> str:
    """A TEXT value, escaped (RFC 5545 3.3.11)."""
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
    """``line`` folded at 75 octets, continuation lines starting with a space (3.1)."""
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


def utc(value: dt.datetime) -> str:
    """A DATE-TIME in UTC form (``20260312T013000Z``)."""
    return value.astimezone(dt.UTC).strftime(STAMP)


def calendar(
    events: Iterable[list[str]], *, prodid: str, name: str = "", method: str = "PUBLISH"
) -> str:
    """The VCALENDAR of ``events`` (each a VEVENT's unfolded lines), folded, CRLF-ended."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{text(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
