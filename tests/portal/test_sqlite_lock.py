"""On SQLite (no exclusion constraint) the service checks under a per-room lock: a second
booking of the slot is refused, and a booking made while another holds the lock waits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.locks import single_flight
from portal import services
from portal.models import Booking
from portal.services import bookings as booking_module

pytestmark = [pytest.mark.sqlite_only, pytest.mark.django_db]


def tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_second_booking_of_the_slot_is_refused(room, owner, colleague):
    services.booking_create(
        actor=owner, room=room, start=tomorrow_at(10), end=tomorrow_at(11), title="a"
    )
    with pytest.raises(services.BookingConflict):
        services.booking_create(
            actor=colleague, room=room, start=tomorrow_at(10), end=tomorrow_at(11), title="b"
        )
    assert Booking.objects.count() == 1


def test_a_held_room_lock_makes_the_booking_wait_then_give_up(room, owner, monkeypatch):
    monkeypatch.setattr(booking_module, "LOCK_WAIT_SECONDS", 0.1)
    with single_flight(f"portal.room-{room.pk}") as held:
        assert held
        with pytest.raises(ValidationError) as caught:
            services.booking_create(
                actor=owner, room=room, start=tomorrow_at(10), end=tomorrow_at(11), title="a"
            )
    assert "room" in caught.value.message_dict
    assert not Booking.objects.exists()
