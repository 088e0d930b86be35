"""The demo data: loads once, with buildings, ~20 rooms, a week of bookings and a series."""

from io import StringIO

from accounts.demo import load_users
from portal.demo import load_portal
from portal.models import Booking, BookingSeries, Building, Room


def test_demo_loads_once_with_rooms_bookings_and_a_series(db):
    out = StringIO()
    load_users(out)
    load_portal(out)
    count = Booking.objects.count()
    load_portal(out)
    assert Building.objects.count() == 3
    assert Room.objects.count() == 21
    assert Room.objects.filter(restricted=True).count() == 4
    assert count > 20 and Booking.objects.count() == count
    assert BookingSeries.objects.count() == 1
    assert "already loaded" in out.getvalue()
