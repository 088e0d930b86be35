"""The admin: every model registered, bookings read-only there (made through the service),
the cancel action going through the service; staff without the permission refused."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal import models, services
from tests.accounts.mfa_support import force_login_verified

from .conftest import taipei

pytestmark = pytest.mark.usefixtures("clock")

MODELS = [models.Building, models.Equipment, models.Room, models.BookingSeries, models.Booking]


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def booking(room, owner):
    return services.booking_create(
        actor=owner, room=room, start=taipei(2026, 3, 3, 10), end=taipei(2026, 3, 3, 11), title="會"
    ).bookings[0]


def test_every_model_is_in_the_admin():
    assert [m.__name__ for m in MODELS if m not in admin.site._registry] == []


@pytest.mark.parametrize("model", ["building", "equipment", "room", "bookingseries", "booking"])
def test_changelists_answer(client, superuser, booking, model):
    force_login_verified(client, superuser)
    assert client.get(reverse(f"admin:portal_{model}_changelist")).status_code == 200


def test_bookings_cannot_be_added_or_changed_in_the_admin(client, superuser, booking):
    force_login_verified(client, superuser)
    assert client.get(reverse("admin:portal_booking_add")).status_code == 403
    client.post(reverse("admin:portal_booking_change", args=[booking.pk]), {"title": "x"})
    booking.refresh_from_db()
    assert booking.title == "會"


def test_cancel_action_cancels_through_the_service(client, superuser, booking):
    force_login_verified(client, superuser)
    client.post(
        reverse("admin:portal_booking_changelist"),
        {"action": "cancel_bookings", "_selected_action": [booking.pk]},
    )
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", superuser)


def test_staff_without_the_permission_is_refused(client, make_user, booking):
    staff = make_user(username="clerk", is_staff=True)
    force_login_verified(client, staff)
    assert client.get(reverse("admin:portal_room_changelist")).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_room"))
    assert client.get(reverse("admin:portal_room_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_booking_changelist")).status_code == 403
