"""No double booking under concurrent requests, on PostgreSQL: the exclusion constraint and
the per-room lock (two threads, two connections, started together)."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal import services
from portal.models import Booking
from portal.services import bookings as booking_module

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def race(room, people, start, end) -> list:
    barrier = threading.Barrier(len(people))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            services.booking_create(actor=user, room=room, start=start, end=end, title="搶會議室")
            outcomes.append("booked")
        except services.BookingConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_simultaneous_bookings_of_one_slot_exactly_one_wins(room, owner, colleague):
    outcomes = race(room, [owner, colleague], tomorrow_at(10), tomorrow_at(11))
    assert outcomes == ["booked", "conflict"]
    assert Booking.objects.filter(room=room).count() == 1


def test_the_database_refuses_an_overlap_even_when_the_check_is_skipped(
    room, owner, colleague, monkeypatch
):
    # Both requests see a free room (as a buggy or bypassed check would): the exclusion
    # constraint still lets one through.
    monkeypatch.setattr(booking_module, "_conflicts", lambda room, slots: ([], [], []))
    outcomes = race(room, [owner, colleague], tomorrow_at(10), tomorrow_at(11))
    assert outcomes == ["booked", "conflict"]
    assert Booking.objects.filter(room=room).count() == 1


def test_the_exclusion_constraint_holds_for_plain_inserts(room, owner):
    Booking.objects.create(
        room=room, organiser=owner, title="a", start=tomorrow_at(10), end=tomorrow_at(12)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            room=room, organiser=owner, title="b", start=tomorrow_at(11), end=tomorrow_at(13)
        )
    # Cancelled bookings and back-to-back ones do not count.
    Booking.objects.create(
        room=room, organiser=owner, title="c", start=tomorrow_at(12), end=tomorrow_at(13)
    )
    Booking.objects.create(
        room=room,
        organiser=owner,
        title="d",
        start=tomorrow_at(10),
        end=tomorrow_at(11),
        status="cancelled",
    )
    assert Booking.objects.filter(room=room).count() == 3
