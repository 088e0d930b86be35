"""In Chromium: sign in, book a weekly room whose second date is taken, see exactly that date
listed, then book the other dates; the pages are axe-clean with no sideways scroll."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from core.models import Organization
from portal import services
from portal.models import Booking, Building, Room
from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_axe,
    check_no_horizontal_overflow,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def setting(transactional_db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    load_users(StringIO())
    building = Building.objects.create(code="hq", name_zh="本部大樓", name_en="Headquarters")
    room = Room.objects.create(
        building=building,
        code="hq-9-901",
        floor="9F",
        name_zh="901 會議室",
        name_en="Room 901",
        capacity=20,
        managing_unit=Organization.objects.get(code="SEC"),
    )
    first = timezone.localdate() + dt.timedelta(days=7)
    taken = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=7), dt.time(10)))
    services.booking_create(
        actor=get_user_model().objects.get(username="chen.yiming"),
        room=room,
        start=taken,
        end=taken + dt.timedelta(hours=1),
        title="勞資會議",
    )
    return room, first, first + dt.timedelta(days=7)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_recurring_booking_lists_its_one_conflict_then_books_the_rest(
    setting, live_server, open_page, viewport
):
    room, first, conflict = setting
    page = open_page(viewport)
    log_in(page, live_server.url, "wang.jianguo", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/bookings/new/?room={room.pk}")
    check_no_horizontal_overflow(page, viewport, "booking form")
    check_axe(page, f"booking form at {viewport['width']}px")
    page.locator("#id_title").fill("資訊處週會")
    page.locator("#id_date").fill(first.isoformat())
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("11:00")
    page.locator("#id_repeat").select_option("weekly")
    page.locator("#id_count").fill("3")
    with page.expect_navigation():
        page.locator("#booking-form button[type=submit]").click()

    conflicts = page.locator("#conflicts")
    expect(conflicts).to_be_visible()
    dates = conflicts.locator(".portal-conflict-dates time")
    expect(dates).to_have_count(1)
    expect(dates.first).to_have_attribute("datetime", conflict.isoformat())
    check_no_horizontal_overflow(page, viewport, "conflict")
    check_axe(page, f"conflict at {viewport['width']}px")
    assert Booking.objects.filter(title="資訊處週會").count() == 0

    page.locator("#id_skip_conflicts").check()
    with page.expect_navigation():
        page.locator("#booking-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("資訊處週會")
    starts = sorted(timezone.localdate(b.start) for b in Booking.objects.filter(title="資訊處週會"))
    assert starts == [first, first + dt.timedelta(days=14)]
    check_axe(page, f"booking detail at {viewport['width']}px")

    for path in (
        "/portal/rooms/",
        "/portal/rooms/availability/",
        "/portal/bookings/",
        "/portal/rooms/availability/?view=week",
        room.get_absolute_url(),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        check_no_horizontal_overflow(page, viewport, path)
        check_axe(page, f"{path} at {viewport['width']}px")
