"""The notices of room booking, rendered in both languages from ``templates/portal/notices/``
and handed to ``notifications.services.notify`` in the caller's transaction.

The outbox sends no attachments, so an invitation is a notice (by e-mail per the person's
preferences) whose link is the booking's page and whose text gives the address of its
iCalendar invitation (``METHOD:REQUEST``), a download that checks the reader."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.http import site_url
from notifications.choices import NoticeKind
from notifications.services import notify

LANGUAGES = ("zh-hant", "en")


def texts(code: str, context: dict) -> tuple[dict, dict]:
    titles, bodies = {}, {}
    for language in LANGUAGES:
        with translation.override(language):
            titles[language] = " ".join(
                render_to_string(f"portal/notices/{code}.title.txt", context).split()
            )
            bodies[language] = render_to_string(f"portal/notices/{code}.body.txt", context).strip()
    return titles, bodies


def _send(code: str, *, recipients, booking, context: dict, kind=NoticeKind.INFORMATION):
    if not recipients:
        return []
    context = {
        "booking": booking,
        "ics_url": site_url() + reverse("portal:booking_ics", args=[booking.pk]),
        **context,
    }
    title, body = texts(code, context)
    return notify(
        recipients=recipients, kind=kind, obj=booking, title=title, body=body, source="portal"
    )


def invitations_send(*, bookings, attendees) -> None:
    """Invite ``attendees`` (not the organiser) to ``bookings`` (one booking or a series'
    occurrences: one notice for them all)."""
    if not bookings:
        return
    first = bookings[0]
    people = [p for p in attendees if p.pk != first.organiser_id]
    _send(
        "invitation",
        recipients=people,
        booking=first,
        context={"count": len(bookings), "last": bookings[-1]},
    )


def booking_cancelled_notify(*, bookings, actor) -> None:
    if not bookings:
        return
    first = bookings[0]
    people = list(first.attendees.all())
    if actor is not None and first.organiser_id != actor.pk:
        people.append(first.organiser)
    _send(
        "cancelled",
        recipients=[p for p in people if actor is None or p.pk != actor.pk],
        booking=first,
        context={"count": len(bookings)},
    )


def decision_notify(*, bookings, approved: bool, comment: str = "") -> None:
    if not bookings:
        return
    first = bookings[0]
    _send(
        "decided",
        recipients=[first.organiser],
        booking=first,
        context={"approved": approved, "comment": comment, "count": len(bookings)},
    )


def reminder_notify(*, booking) -> None:
    people = [booking.organiser, *booking.attendees.all()]
    _send("reminder", recipients=people, booking=booking, context={})


def leave_notify(code: str, *, request, recipients, context: dict | None = None) -> None:
    """A leave notice (``templates/portal/notices/leave_<code>.*.txt``) about ``request``."""
    people = [p for p in recipients if p is not None]
    if not people:
        return
    kind = NoticeKind.TODO if code == "deputy_asked" else NoticeKind.INFORMATION
    title, body = texts(f"leave_{code}", {"request": request, **(context or {})})
    notify(recipients=people, kind=kind, obj=request, title=title, body=body, source="portal")
