"""iCalendar (RFC 5545) invitations of room bookings: ``METHOD:REQUEST`` with the organiser
and the attendees, one VEVENT per occurrence (a series' taken dates are simply absent, so no
EXDATE arithmetic). Lines end in CRLF and are folded at 75 octets (never inside a UTF-8
character); TEXT values escape backslash, semicolon, comma and newlines; the title's
bidirectional and other control characters were removed when it was typed (``core.text``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

STAMP = "%Y%m%dT%H%M%SZ"
PRODID = "-//MOL Portal//portal room booking//ZH-TW"
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


def _person(prefix: str, user) -> str:
    name = text(user.display_name)
    name = name.replace('"', "'")
    return f'{prefix};CN="{name}":mailto:{user.email or user.get_username()}'


def event_lines(booking, *, host: str, url: str, attendees: Iterable) -> list[str]:
    room = booking.room
    lines = [
        "BEGIN:VEVENT",
        f"UID:portal-booking-{booking.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(booking.start)}",
        f"DTEND:{_utc(booking.end)}",
        f"SUMMARY:{text(booking.title)}",
        f"LOCATION:{text(f'{room.building.name} {room.floor} {room.name}')}",
        "STATUS:" + ("CONFIRMED" if booking.status == "confirmed" else "TENTATIVE"),
        _person("ORGANIZER", booking.organiser),
    ]
    for person in attendees:
        lines.append(
            _person("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE", person)
        )
    lines += [f"URL:{url}", "END:VEVENT"]
    return lines


def calendar(events: Iterable[list[str]], *, method: str = "REQUEST") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"METHOD:{method}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
