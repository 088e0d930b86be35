"""Pages of the employee portal: meeting-room booking (/portal/, login required)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import service_action
from core.files import file_response
from core.forms import add_service_errors
from documents import selectors as documents_selectors

from .. import grid as grid_module
from .. import grid_html, ical, selectors, services
from ..forms import BookingForm, CancelForm, GridForm, RoomFilterForm
from ..models import Booking, Room


def _room_or_404(user, pk) -> Room:
    try:
        return selectors.room_get(user, pk)
    except Room.DoesNotExist as exc:
        raise Http404 from exc


def _booking_or_404(user, pk) -> Booking:
    try:
        return selectors.booking_get(user, pk)
    except Booking.DoesNotExist as exc:
        raise Http404 from exc


PAGE_SIZE = 50


def _others(request) -> str:
    """The query string without ``page``: the pagination links keep the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def room_list(request):
    form = RoomFilterForm(
        request.GET or None,
        buildings=selectors.buildings(),
        equipment=selectors.equipment_choices(),
    )
    rooms = selectors.rooms(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        rooms = selectors.room_filter(
            rooms,
            building=data["building"],
            min_capacity=data["capacity"],
            equipment=list(data["equipment"]),
            accessible=data["accessible"],
        )
    page = Paginator(rooms, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/room_list.html",
        {"form": form, "page": page, "rooms": page.object_list, "querystring": _others(request)},
    )


@require_GET
def room_detail(request, pk: int):
    room = _room_or_404(request.user, pk)
    today = timezone.localdate()
    week = grid_module.week_of(today)
    start = timezone.make_aware(dt.datetime.combine(week[0], dt.time.min))
    occupied = selectors.occupancy([room], start, start + dt.timedelta(days=7), user=request.user)
    return render(
        request,
        "portal/room_detail.html",
        {
            "room": room,
            "bookings": occupied.get(room.pk, []),
            "week": week,
            "manager": selectors.manages_room(request.user, room),
        },
    )


@require_GET
def room_photo(request, pk: int):
    room = _room_or_404(request.user, pk)
    name = room.photo.name.rsplit("/", 1)[-1] if room.photo else ""
    content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    return file_response(room.photo, filename=name, content_type=content_type, inline=True)


@require_GET
def availability(request):
    form = GridForm(request.GET or None, buildings=selectors.buildings())
    day, view, building = timezone.localdate(), "day", None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"] or day
        view = form.cleaned_data["view"] or "day"
        building = form.cleaned_data["building"]
    grid = grid_module.build(request.user, day=day, view=view, building=building)
    step = dt.timedelta(days=7 if view == "week" else 1)
    base = {"view": view, **({"building": building.pk} if building else {})}
    return render(
        request,
        "portal/grid.html",
        {
            "form": form,
            "grid": grid,
            "day": day,
            "view": view,
            "previous": {**base, "date": (day - step).isoformat()},
            "next": {**base, "date": (day + step).isoformat()},
            "other_view": {
                **base,
                "date": day.isoformat(),
                "view": "day" if view == "week" else "week",
            },
            "rows": grid_html.rows(grid, day=day, now=timezone.now()),
        },
    )


def _initial(request, rooms) -> dict:
    initial = {}
    room_id = request.GET.get("room", "")
    if room_id.isdigit() and rooms.filter(pk=int(room_id)).exists():
        initial["room"] = int(room_id)
    try:
        if request.GET.get("date"):
            initial["date"] = dt.date.fromisoformat(request.GET["date"])
        if request.GET.get("start"):
            start = dt.time.fromisoformat(request.GET["start"])
            initial["start_time"] = start.strftime("%H:%M")
            end = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(hours=1)).time()
            initial["end_time"] = end.strftime("%H:%M")
    except ValueError:
        pass
    return initial


@require_http_methods(["GET", "POST"])
def booking_new(request):
    rooms = selectors.rooms(request.user).prefetch_related(None)
    form = BookingForm(
        request.POST or None,
        initial=_initial(request, rooms),
        rooms=rooms,
        equipment=selectors.equipment_choices(),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.booking_create(
                actor=request.user,
                room=data["room"],
                start=data["start"],
                end=data["end"],
                title=data["title"],
                attendees=data["attendees"],
                equipment=list(data["equipment"]),
                note=data["note"],
                recurrence=data["recurrence"],
                skip_conflicts=data["skip_conflicts"],
            )
        except ValidationError as exc:
            add_service_errors(
                form, exc, {"start": "date", "end": "end_time", "recurrence": "repeat"}
            )
        except services.BookingConflict as exc:
            conflict = {
                "dates": exc.dates,
                "bookings": exc.conflicts,
                "series": data["recurrence"] is not None,
                "free_rooms": selectors.free_rooms(
                    request.user,
                    exclude=data["room"],
                    start=data["start"],
                    end=data["end"],
                    dates=exc.dates,
                ),
            }
        else:
            first = result.bookings[0]
            if result.skipped:
                messages.warning(
                    request,
                    _("Booked %(count)d dates; left out: %(dates)s.")
                    % {
                        "count": len(result.bookings),
                        "dates": ", ".join(d.isoformat() for d in result.skipped),
                    },
                )
            if first.status == "pending":
                messages.success(request, _("The booking waits for the room manager's approval."))
            else:
                messages.success(request, _("The room is booked."))
            return redirect(first)
    return render(request, "portal/booking_form.html", {"form": form, "conflict": conflict})


@require_GET
def my_bookings(request):
    past = request.GET.get("when") == "past"
    bookings = selectors.my_bookings(request.user, since=timezone.now(), past=past)
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/my_bookings.html",
        {
            "page": page,
            "bookings": page.object_list,
            "querystring": _others(request),
            "past": past,
            "pending": selectors.pending_for(request.user)[:100],
        },
    )


@require_GET
def booking_detail(request, pk: int):
    booking = _booking_or_404(request.user, pk)
    target = booking.series or booking
    chain = documents_selectors.open_chain_for(target) if booking.status == "pending" else None
    occurrences = []
    if booking.series_id:
        occurrences = list(booking.series.bookings.order_by("start"))
    may_cancel = selectors.may_cancel(request.user, booking) and booking.end > timezone.now()
    return render(
        request,
        "portal/booking_detail.html",
        {
            "booking": booking,
            "attendees": list(booking.attendees.order_by("username")),
            "equipment": list(booking.equipment.all()),
            "occurrences": occurrences,
            "may_cancel": may_cancel,
            "may_cancel_series": bool(
                booking.series_id
                and (
                    booking.organiser_id == request.user.pk
                    or selectors.manages_room(request.user, booking.room)
                )
                and any(o.is_active and o.start > timezone.now() for o in occurrences)
            ),
            "chain": chain,
            "skipped": [
                dt.date.fromisoformat(day)
                for day in (booking.series.skipped_dates if booking.series_id else [])
            ],
        },
    )


@require_POST
def booking_cancel(request, pk: int):
    booking = _booking_or_404(request.user, pk)
    CancelForm(request.POST).is_valid()
    service_action(
        request,
        lambda: services.booking_cancel(booking=booking, actor=request.user),
        success=_("The booking was cancelled."),
        hide_denied=False,
    )
    return redirect(booking)


@require_POST
def series_cancel(request, pk: int):
    booking = _booking_or_404(request.user, pk)
    if booking.series_id is None:
        raise Http404
    CancelForm(request.POST).is_valid()
    service_action(
        request,
        lambda: services.series_cancel(series=booking.series, actor=request.user),
        success=lambda done: (
            _("%(count)d occurrence(s) of the series were cancelled.") % {"count": len(done)}
        ),
    )
    return redirect(booking)


@require_GET
def booking_ics(request, pk: int):
    """The booking (a series: every active occurrence) as an iCalendar invitation, for the
    people who may see it."""
    booking = _booking_or_404(request.user, pk)
    if booking.series_id:
        bookings = list(
            booking.series.bookings.filter(status__in=["pending", "confirmed"])
            .select_related("room__building", "organiser")
            .order_by("start")
        ) or [booking]
    else:
        bookings = [booking]
    attendees = list(booking.attendees.all())
    host = request.get_host().split(":")[0]
    body = ical.calendar(
        [
            ical.event_lines(
                each,
                host=host,
                url=request.build_absolute_uri(each.get_absolute_url()),
                attendees=attendees,
            )
            for each in bookings
        ]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8; method=REQUEST")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response
