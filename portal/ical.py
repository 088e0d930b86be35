"""iCalendar (RFC 5545) invitations of room bookings: ``METHOD:REQUEST`` with the organiser
and the attendees, one VEVENT per occurrence (a series' taken dates are simply absent, so no
EXDATE arithmetic). The text rules (folding, escaping, UTC times) are ``core.ical``'s; the title's
bidirectional and other control characters were removed when it was typed (``core.text``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from core import ical as core_ical
from core.ical import text, utc

PRODID = "-//MOL Portal//portal room booking//ZH-TW"


def _person(prefix: str, user) -> str:
    name = text(user.display_name).replace('"', "'")
    return f'{prefix};CN="{name}":mailto:{user.email or user.get_username()}'


def event_lines(booking, *, host: str, url: str, attendees: Iterable) -> list[str]:
    room = booking.room
    lines = [
        "BEGIN:VEVENT",
        f"UID:portal-booking-{booking.pk}@{host}",
        f"DTSTAMP:{utc(timezone.now())}",
        f"DTSTART:{utc(booking.start)}",
        f"DTEND:{utc(booking.end)}",
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
    return core_ical.calendar(events, prodid=PRODID, method=method)
