"""The availability grid's table rows, written in Python.

The grid is the portal's busiest page: 30 rooms × 7 days (or × 30 half hours) of cells. Through
template tags its rows cost about three quarters of the page (``bench/portal.py``); here every
translated word, link prefix and date label is made once per page, each cell is one f-string,
and every value from the database goes through ``escape``. The markup is the one
``portal/grid.html`` had (tested by the pages' tests and the browser's axe check).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.localdates import local_date

from .grid import Grid

_PK = 2147483647  # a placeholder id: reverse() once, then put each id in its place


def _url_maker(name: str):
    prefix, _sep, suffix = reverse(name, args=[_PK]).partition(str(_PK))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _room_header(room, room_url, seats_label: str) -> str:
    seats = escape(seats_label % {"seats": room.capacity})
    return (
        f'<th scope="row"><a href="{room_url(room.pk)}">{escape(room.name)}</a> '
        f'<span class="d-block fw-normal">{escape(room.floor)} · {seats}</span></th>'
    )


def rows(grid: Grid, *, day: dt.date, now: dt.datetime) -> SafeString:
    """The ``<tr>`` of every room of ``grid`` (day or week view)."""
    room_url, booking_url = _url_maker("portal:room"), _url_maker("portal:booking")
    new_url = reverse("portal:booking_new")
    booked, seats = escape(_("Booked")), _("%(seats)s seats")
    zone = timezone.get_current_timezone()

    def hhmm(value: dt.datetime) -> str:
        return value.astimezone(zone).strftime("%H:%M")

    def label(booking) -> str:
        if booking.visible:
            return f'<a href="{booking_url(booking.pk)}">{escape(booking.title)}</a>'
        return booked

    out: list[str] = []
    if grid.view == "week":
        book = escape(_("Book"))
        days = [(each.isoformat(), escape(local_date(each))) for each in grid.days]
        for row in grid.rows:
            name = escape(row.room.name)
            cells = [_room_header(row.room, room_url, seats)]
            for (iso, shown), (_each, bookings) in zip(days, row.cells, strict=True):
                items = "".join(
                    f"<li>{hhmm(b.start)}–{hhmm(b.end)} {label(b)}</li>" for b in bookings
                )
                listed = f"<ul>{items}</ul>" if items else ""
                cells.append(
                    f"<td>{listed}\n        "
                    f'<a href="{new_url}?room={row.room.pk}&amp;date={iso}" class="small">{book}'
                    f'<span class="visually-hidden"> {name} {shown}</span></a></td>'
                )
            out.append("<tr>" + "".join(cells) + "</tr>")
        return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
    past = f'<td><span class="visually-hidden">{escape(_("Past"))}</span></td>'
    book_at = _("Book %(name)s at %(time)s")
    iso = day.isoformat()
    for row in grid.rows:
        cells = [_room_header(row.room, room_url, seats)]
        for cell in row.cells:
            booking = cell.booking
            if booking is not None:
                pending = " portal-pending" if booking.status == "pending" else ""
                cells.append(
                    f'<td colspan="{cell.span}" class="portal-busy{pending}">{label(booking)}</td>'
                )
            elif cell.start < now:
                cells.append(past)
            else:
                time = hhmm(cell.start)
                text = escape(book_at % {"name": row.room.name, "time": time})
                cells.append(
                    f'<td class="portal-free"><a href="{new_url}?room={row.room.pk}&amp;'
                    f'date={iso}&amp;start={time}"><span class="visually-hidden">{text}'
                    "</span></a></td>"
                )
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
