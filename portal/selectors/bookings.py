"""Reads of the employee portal (room booking).

- **Rooms**: every active member of staff sees and may book every active room; a restricted
  room's bookings wait for its approver.
- **Bookings**: a person sees the bookings they organise and those they are invited to; the
  room's **managers** (its approver, and holders of ``portal.room_manager`` covering the
  room's managing unit) see every booking of the room. Anyone else sees only that a slot is
  taken (the grid's "booked" cells), never its title or its people: another person's booking
  is a 404.
- **Who may cancel**: the organiser and the room's managers (``may_cancel``), checked again by
  the service.

Every page, the API and the services use these functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import authz

from ..constants import ACTIVE_STATUSES
from ..models import Booking, Building, Equipment, Room
from ..roles import ROOM_MANAGER


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def rooms(user) -> QuerySet[Room]:
    """The rooms ``user`` may book (every active room for active staff), with their building
    and equipment (two queries in all)."""
    if not _active(user):
        return Room.objects.none()
    return (
        Room.objects.active()
        .select_related("building")
        .prefetch_related(Prefetch("equipment", queryset=Equipment.objects.order_by("code")))
    )


def room_filter(
    queryset: QuerySet[Room],
    *,
    building: Building | None = None,
    min_capacity: int | None = None,
    equipment: list[Equipment] | None = None,
    accessible: bool = False,
) -> QuerySet[Room]:
    if building is not None:
        queryset = queryset.filter(building=building)
    if min_capacity:
        queryset = queryset.filter(capacity__gte=min_capacity)
    for item in equipment or []:
        queryset = queryset.filter(equipment=item)
    if accessible:
        queryset = queryset.filter(accessible=True)
    return queryset


def room_get(user, pk) -> Room:
    """A bookable room; ``Room.DoesNotExist`` otherwise."""
    return rooms(user).get(pk=pk)


def buildings() -> QuerySet[Building]:
    return Building.objects.filter(rooms__is_active=True).distinct().order_by("sort_order", "code")


def equipment_choices() -> QuerySet[Equipment]:
    return Equipment.objects.order_by("code")


def manages_room(user, room: Room) -> bool:
    if not _active(user):
        return False
    if room.approver_id is not None and room.approver_id == user.pk:
        return True
    return authz.has_role(user, ROOM_MANAGER, unit=room.managing_unit_id)


def managed_q(user, prefix: str = "room__") -> Q:
    """Rows of the rooms ``user`` manages (``prefix``: the path to the room; "" for rooms)."""
    return Q(**{f"{prefix}approver": user}) | authz.scope_q(
        user, ROOM_MANAGER, field=f"{prefix}managing_unit"
    )


def bookings_visible_to(user) -> QuerySet[Booking]:
    if not _active(user):
        return Booking.objects.none()
    invited = Booking.attendees.through.objects.filter(user_id=user.pk).values("booking_id")
    return Booking.objects.filter(
        Q(organiser=user) | Q(pk__in=invited) | managed_q(user)
    ).select_related("room__building", "organiser", "series")


def booking_get(user, pk) -> Booking:
    """A booking ``user`` may see; ``Booking.DoesNotExist`` otherwise (a 404 for the pages)."""
    return bookings_visible_to(user).get(pk=pk)


def may_cancel(user, booking: Booking) -> bool:
    if not _active(user) or not booking.is_active:
        return False
    return booking.organiser_id == user.pk or manages_room(user, booking.room)


def my_bookings(user, *, since: dt.datetime, past: bool = False) -> QuerySet[Booking]:
    """What ``user`` organises or attends: from ``since`` on (or before it with ``past``)."""
    if not _active(user):
        return Booking.objects.none()
    invited = Booking.attendees.through.objects.filter(user_id=user.pk).values("booking_id")
    queryset = Booking.objects.filter(Q(organiser=user) | Q(pk__in=invited)).select_related(
        "room__building", "series"
    )
    if past:
        return queryset.filter(end__lt=since).order_by("-start")
    return queryset.filter(end__gte=since).order_by("start")


@dataclass(frozen=True, slots=True)
class Busy:
    """One active booking as the availability grid and API show it: the times, the state and,
    when ``visible`` (the reader organises it or manages the room), its title and link."""

    pk: int
    room_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    status: str
    visible: bool

    def get_absolute_url(self) -> str:
        return reverse("portal:booking", args=[self.pk])


def occupancy(
    rooms_: list[Room], start: dt.datetime, end: dt.datetime, *, user=None
) -> dict[int, list[Busy]]:
    """The active bookings of ``rooms_`` overlapping ``[start, end)``, by room id, in one
    query, as ``Busy`` rows (read as plain values: the grid shows hundreds of them)."""
    by_id = {room.pk: room for room in rooms_}
    managed = {pk for pk, room in by_id.items() if user is not None and manages_room(user, room)}
    reader = user.pk if user is not None else None
    rows = (
        Booking.objects.filter(
            room_id__in=list(by_id), status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
        )
        .order_by("start")
        .values_list("pk", "room_id", "organiser_id", "title", "start", "end", "status")
    )
    by_room: dict[int, list[Busy]] = defaultdict(list)
    for pk, room_id, organiser_id, title, b_start, b_end, status in rows:
        visible = reader is not None and (organiser_id == reader or room_id in managed)
        by_room[room_id].append(Busy(pk, room_id, title, b_start, b_end, status, visible))
    return by_room


def pending_for(user) -> QuerySet[Booking]:
    """Bookings waiting for approval in rooms ``user`` manages."""
    if not _active(user):
        return Booking.objects.none()
    return (
        Booking.objects.filter(managed_q(user), status="pending")
        .select_related("room__building", "organiser")
        .order_by("start")
    )


def free_rooms(
    user,
    *,
    exclude: Room,
    start: dt.datetime,
    end: dt.datetime,
    dates: list[dt.date],
    limit: int = 8,
) -> list[Room]:
    """Other rooms free at ``start``–``end``'s times on every one of ``dates`` (the dates a
    series could not have), at least as large as ``exclude``: where to book those dates
    instead. Two queries (the rooms, their bookings)."""
    wall, length = timezone.localtime(start).time(), end - start
    slots = [
        (timezone.make_aware(dt.datetime.combine(day, wall)),)
        for day in (dates or [timezone.localdate(start)])
    ]
    slots = [(s, s + length) for (s,) in slots]
    candidates = list(
        rooms(user)
        .prefetch_related(None)
        .exclude(pk=exclude.pk)
        .filter(capacity__gte=min(exclude.capacity, 10))
        .order_by("capacity", "code")[:200]
    )
    if not candidates:
        return []
    taken = defaultdict(list)
    for room_id, b_start, b_end in Booking.objects.filter(
        room_id__in=[r.pk for r in candidates],
        status__in=ACTIVE_STATUSES,
        start__lt=max(e for _s, e in slots),
        end__gt=min(s for s, _e in slots),
    ).values_list("room_id", "start", "end"):
        taken[room_id].append((b_start, b_end))
    free = [
        room
        for room in candidates
        if not any(b_s < e and b_e > s for s, e in slots for b_s, b_e in taken[room.pk])
    ]
    return free[:limit]
