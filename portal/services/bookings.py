"""Booking a room, and cancelling a booking or a series.

``booking_create`` checks everything before writing anything, in one transaction:

1. the title (one line, bidirectional controls removed), the room (bookable by the actor),
   start and end (end after start, not in the past, within the room's horizon and its longest
   booking), the attendees (active people) and the equipment (the room's);
2. a recurrence (``portal.recurrence``) is expanded to its occurrences, each checked alike;
3. under a per-room lock — the room's row ``SELECT … FOR UPDATE`` on PostgreSQL, a waited-for
   ``core.locks`` file lock on SQLite — the room's active bookings overlapping the first to
   the last occurrence are read once and every occurrence is compared with them. Conflicts
   raise ``BookingConflict`` (the taken bookings and the conflicting dates) unless
   ``skip_conflicts``, which books the rest;
4. the rows are written; on PostgreSQL the exclusion constraint ``portal_booking_no_overlap``
   refuses an overlap whatever the path (an ``IntegrityError`` becomes ``BookingConflict``).

A restricted room's bookings are *pending* and go for approval to the room's approver (a
person), else to the holders of ``portal.room_manager`` in the room's managing unit, through
the documents sign-off engine (one chain per booking, or per series). A room manager booking
their own room needs no approval. Confirmed bookings invite their attendees.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.locks import single_flight
from core.services import audit_record
from core.text import clean_line
from documents import selectors as documents_selectors
from documents.services import StepSpec, signoff_cancel, signoff_start

from .. import selectors
from ..choices import BookingStatus
from ..constants import ACTIVE_STATUSES, MAX_ATTENDEES, TITLE_MAX
from ..models import Booking, BookingSeries, Equipment, Room
from ..recurrence import Recurrence
from ..roles import ROOM_MANAGER
from .notices import booking_cancelled_notify, invitations_send

LOCK_WAIT_SECONDS = 10


class BookingConflict(Exception):
    """The slot is taken: ``conflicts`` are the bookings in the way, ``dates`` the (Taipei)
    dates of the occurrences they block."""

    def __init__(self, conflicts: list[Booking], dates: list[dt.date]):
        super().__init__(_("The room is already booked at that time."))
        self.conflicts = conflicts
        self.dates = dates


@dataclass
class BookingResult:
    bookings: list[Booking]
    series: BookingSeries | None = None
    skipped: list[dt.date] = field(default_factory=list)


@contextmanager
def _room_lock(room: Room):
    """On SQLite: wait (up to ``LOCK_WAIT_SECONDS``) for the room's file lock; the caller then
    locks the room row, which is what serialises bookings on PostgreSQL."""
    if connection.vendor == "postgresql":
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        with single_flight(f"portal.room-{room.pk}") as acquired:
            if acquired:
                yield
                return
        if time.monotonic() > deadline:
            raise ValidationError(
                {"room": [_("The room is being booked by someone else; please try again.")]}
            )
        time.sleep(0.02)


def _check_times(room: Room, start: dt.datetime, end: dt.datetime, *, field_name: str) -> None:
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": [_("Give the time with its offset (e.g. +08:00).")]})
    if end <= start:
        errors.setdefault("end", []).append(_("The end must be after the start."))
    elif (end - start) > dt.timedelta(minutes=room.max_minutes):
        errors.setdefault("end", []).append(
            _("A booking of this room lasts at most %(minutes)d minutes.")
            % {"minutes": room.max_minutes}
        )
    if start < now:
        errors.setdefault("start", []).append(_("A booking cannot start in the past."))
    last_day = timezone.localdate(now) + dt.timedelta(days=room.horizon_days)
    if timezone.localdate(start) > last_day:
        errors.setdefault(field_name, []).append(
            _("This room can be booked at most %(days)d days ahead (until %(date)s).")
            % {"days": room.horizon_days, "date": last_day.isoformat()}
        )
    if errors:
        raise ValidationError(errors)


def _check_people(attendees, equipment, room: Room) -> tuple[list[User], list[Equipment]]:
    people = list({user.pk: user for user in attendees or []}.values())
    if len(people) > MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": [_("At most %(max)d attendees.") % {"max": MAX_ATTENDEES}]}
        )
    if any(not person.is_active for person in people):
        raise ValidationError({"attendees": [_("Invite active members of staff only.")]})
    items = list({item.pk: item for item in equipment or []}.values())
    if items:
        available = {item.pk for item in room.equipment.all()}
        if any(item.pk not in available for item in items):
            raise ValidationError({"equipment": [_("Choose equipment this room has.")]})
    return people, items


def _clean_title(title) -> str:
    value = clean_line(title)
    if not value:
        raise ValidationError({"title": [_("Give the booking a title.")]})
    if len(value) > TITLE_MAX:
        raise ValidationError({"title": [_("At most %(max)d characters.") % {"max": TITLE_MAX}]})
    return value


def _conflicts(
    room: Room, slots: list[tuple[dt.datetime, dt.datetime]]
) -> tuple[list[Booking], list[dt.date], list[int]]:
    """The active bookings of ``room`` in the way of ``slots`` (one query), the dates they
    block, and the indexes of the blocked slots."""
    taken = list(
        Booking.objects.filter(
            room=room,
            status__in=ACTIVE_STATUSES,
            start__lt=max(end for _s, end in slots),
            end__gt=min(start for start, _e in slots),
        )
        .select_related("organiser")
        .order_by("start")
    )
    in_the_way: dict[int, Booking] = {}
    blocked: list[int] = []
    for index, (start, end) in enumerate(slots):
        hits = [b for b in taken if b.start < end and b.end > start]
        if hits:
            blocked.append(index)
            for hit in hits:
                in_the_way[hit.pk] = hit
    dates = sorted({timezone.localdate(slots[i][0]) for i in blocked})
    return sorted(in_the_way.values(), key=lambda b: b.start), dates, blocked


def _approval_steps(room: Room) -> list[StepSpec]:
    if room.approver_id is not None:
        return [StepSpec(order=1, user=room.approver)]
    return [StepSpec(order=1, unit=room.managing_unit, role=ROOM_MANAGER)]


def booking_create(
    *,
    actor,
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    title: str,
    attendees=(),
    equipment=(),
    note: str = "",
    recurrence: Recurrence | None = None,
    skip_conflicts: bool = False,
) -> BookingResult:
    """Book ``room`` (once, or along ``recurrence``) for ``actor``; see the module docstring.
    Raises ``ValidationError`` naming the field, or ``BookingConflict``."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied
    if not selectors.rooms(actor).filter(pk=room.pk).exists():
        raise ValidationError({"room": [_("This room cannot be booked.")]})
    title = _clean_title(title)
    note = clean_line(note)[:300]
    _check_times(room, start, end, field_name="start")
    if recurrence is not None:
        slots = recurrence.occurrences(start, end)
        _check_times(room, slots[-1][0], slots[-1][1], field_name="recurrence")
    else:
        slots = [(start, end)]
    people, items = _check_people(attendees, equipment, room)
    manager = selectors.manages_room(actor, room)
    status = BookingStatus.PENDING if room.restricted and not manager else BookingStatus.CONFIRMED

    with _room_lock(room), transaction.atomic():
        Room.objects.select_for_update().filter(pk=room.pk).first()
        conflicts, dates, blocked = _conflicts(room, slots)
        if conflicts and (not skip_conflicts or len(blocked) == len(slots)):
            raise BookingConflict(conflicts, dates)
        free = [slot for index, slot in enumerate(slots) if index not in set(blocked)]
        series = None
        if recurrence is not None:
            series = BookingSeries(
                room=room,
                organiser=actor,
                title=title,
                freq=recurrence.freq,
                weekdays=",".join(str(day) for day in recurrence.weekdays),
                until=recurrence.until,
                count=recurrence.count,
                skipped_dates=[day.isoformat() for day in dates],
            )
            series.full_clean()
            series.save()
        try:
            with transaction.atomic():
                bookings = []
                for index, (slot_start, slot_end) in enumerate(free):
                    booking = Booking(
                        room=room,
                        series=series,
                        organiser=actor,
                        title=title,
                        start=slot_start,
                        end=slot_end,
                        note=note,
                        status=status,
                    )
                    if index == 0:
                        # The room (locked above) and the organiser are known rows, the times
                        # were checked, and the overlap is the database's constraint.
                        booking.full_clean(
                            exclude=["room", "series", "organiser"], validate_constraints=False
                        )
                    booking.save()
                    bookings.append(booking)
                _add_people(bookings, people, items)
        except IntegrityError as exc:
            conflicts, dates, _blocked = _conflicts(room, slots)
            raise BookingConflict(conflicts, dates) from exc
        if status == BookingStatus.PENDING:
            target = series or bookings[0]
            signoff_start(
                target=target,
                started_by=actor,
                steps=_approval_steps(room),
                subject=_("Room booking: %(title)s (%(room)s)")
                % {"title": title, "room": room.name},
            )
        else:
            invitations_send(bookings=bookings, attendees=people)
        if series is not None:
            audit_record(
                action="create",
                obj=series,
                actor=actor,
                message="{} occurrence(s); skipped: {}".format(
                    len(bookings), ", ".join(d.isoformat() for d in dates) or "none"
                ),
            )
    return BookingResult(bookings=bookings, series=series, skipped=dates if series else [])


def _add_people(bookings: list[Booking], people: list[User], items: list[Equipment]) -> None:
    if people:
        Booking.attendees.through.objects.bulk_create(
            [
                Booking.attendees.through(booking_id=booking.pk, user_id=person.pk)
                for booking in bookings
                for person in people
            ]
        )
    if items:
        Booking.equipment.through.objects.bulk_create(
            [
                Booking.equipment.through(booking_id=booking.pk, equipment_id=item.pk)
                for booking in bookings
                for item in items
            ]
        )


def _cancel_rows(bookings: list[Booking], actor) -> list[Booking]:
    now = timezone.now()
    done = []
    for booking in bookings:
        changed = Booking.objects.filter(pk=booking.pk, status__in=ACTIVE_STATUSES).update(
            status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor
        )
        if changed:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = actor
            audit_record(
                action="update",
                obj=booking,
                actor=actor,
                changes={"status": ["active", BookingStatus.CANCELLED]},
            )
            done.append(booking)
    return done


def _may_manage(actor, organiser_id: int, room: Room) -> bool:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return organiser_id == actor.pk or selectors.manages_room(actor, room)


@transaction.atomic
def booking_cancel(*, booking: Booking, actor) -> Booking:
    """Cancel one booking (one occurrence of a series). The organiser or the room's managers;
    a booking already over, cancelled or refused is left as it is (``ValidationError``)."""
    locked = Booking.objects.select_for_update().select_related("room").get(pk=booking.pk)
    if not _may_manage(actor, locked.organiser_id, locked.room):
        raise PermissionDenied
    if not locked.is_active:
        raise ValidationError(_("This booking is no longer active."))
    if locked.end <= timezone.now():
        raise ValidationError(_("A booking that is over cannot be cancelled."))
    done = _cancel_rows([locked], actor)
    if locked.series_id is None:
        _withdraw_approval(locked, actor)
    booking_cancelled_notify(bookings=done, actor=actor)
    return locked


@transaction.atomic
def series_cancel(*, series: BookingSeries, actor) -> list[Booking]:
    """Cancel every occurrence of ``series`` not yet begun. Returns the cancelled ones."""
    locked = BookingSeries.objects.select_for_update().select_related("room").get(pk=series.pk)
    if not _may_manage(actor, locked.organiser_id, locked.room):
        raise PermissionDenied
    upcoming = list(
        locked.bookings.select_for_update()
        .filter(status__in=ACTIVE_STATUSES, start__gt=timezone.now())
        .order_by("pk")
    )
    if not upcoming:
        raise ValidationError(_("No occurrence of this series is left to cancel."))
    done = _cancel_rows(upcoming, actor)
    _withdraw_approval(locked, actor)
    booking_cancelled_notify(bookings=done, actor=actor)
    return done


def _withdraw_approval(target, actor) -> None:
    """A cancelled booking (or series) waiting for approval: its chain is withdrawn, in the
    originator's name (the organiser, or a room manager already allowed to cancel above)."""
    chain = documents_selectors.open_chain_for(target)
    if chain is None:
        return
    signoff_cancel(
        chain=chain,
        actor=chain.started_by,
        reason=_("The booking was cancelled by %(name)s.") % {"name": actor.display_name},
    )
