"""In Chromium, one person's whole day through the real pages: 蔡雅婷 signs in, books
a weekly room whose second date is taken, sees exactly that date listed and books the other
two; she requests leave naming 劉承佑 her deputy; he accepts it; 王建國, head of 資訊處,
approves it from My approvals and sees the absence on his team calendar.

The clock is frozen (ticking) at Monday 2026-03-02 09:00 Asia/Taipei, so the dates below never
depend on today: the series is Mondays 03-09, 03-16 (taken) and 03-23, 10:00–11:00; the leave is
Wednesday 03-11, 09:30–11:30. Every page passed is axe-clean with no sideways scroll."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from freezegun import freeze_time
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from core.models import Organization
from portal import services
from portal.choices import LeaveStatus
from portal.demo_leave import load_leave
from portal.models import Booking, Building, LeaveRequest, Room
from tests.browser_support import DESKTOP, check_axe, check_no_horizontal_overflow, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TAIPEI)
FIRST, TAKEN, LAST = dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23)
LEAVE_DAY = dt.date(2026, 3, 11)
TITLE, REASON = "資訊處週會", "辦理戶籍謄本"


def shown(status) -> str:
    """The status as the (Chinese) page shows it."""
    with translation.override("zh-hant"):
        return str(status.label)


@pytest.fixture
def clock():
    # Ticking, so that timestamps still follow each other; real_asyncio keeps Playwright's
    # event loop (its waits and timeouts) on the real monotonic clock.
    with freeze_time(NOW, tick=True, real_asyncio=True) as frozen:
        yield frozen


@pytest.fixture
def setting(clock, transactional_db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    load_users(StringIO())
    load_leave(StringIO())  # 蔡雅婷 and 劉承佑 in 資訊處, 王建國 its head, balances, demo leave
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
    taken = dt.datetime.combine(TAKEN, dt.time(10), tzinfo=TAIPEI)
    services.booking_create(
        actor=get_user_model().objects.get(username="chen.yiming"),
        room=room,
        start=taken,
        end=taken + dt.timedelta(hours=1),
        title="勞資會議",
    )
    return room


def check(page, what):
    assert page.locator("h1").count() == 1, what
    check_no_horizontal_overflow(page, DESKTOP, what)
    check_axe(page, what)


def click_to_navigate(page, locator):
    with page.expect_navigation():
        locator.click()


def sign_in_as(page, base, username):
    page.context.clear_cookies()
    log_in(page, base, username, DEMO_PASSWORD)
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def test_book_a_series_request_leave_deputy_accepts_head_approves_and_sees_the_calendar(
    setting, live_server, open_page
):
    room = setting
    base = live_server.url
    page = open_page(DESKTOP)

    # 1. 蔡雅婷 signs in and books room 901 every Monday, three times.
    sign_in_as(page, base, "tsai.yating")
    page.goto(f"{base}/portal/rooms/")
    check(page, "room list")
    click_to_navigate(
        page, page.locator("table").get_by_role("link", name="901 會議室", exact=True)
    )
    check(page, "room detail")
    click_to_navigate(page, page.locator(f'a[href$="/portal/bookings/new/?room={room.pk}"]'))
    check(page, "booking form")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_date").fill(FIRST.isoformat())
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("11:00")
    page.locator("#id_repeat").select_option("weekly")
    page.locator("#id_count").fill("3")
    click_to_navigate(page, page.locator("#booking-form button[type=submit]"))

    # Exactly the taken Monday is listed, and nothing is booked yet.
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_be_visible()
    dates = conflicts.locator(".portal-conflict-dates time")
    expect(dates).to_have_count(1)
    expect(dates.first).to_have_attribute("datetime", TAKEN.isoformat())
    expect(dates.first).to_have_text("115/03/16")
    check(page, "booking conflict")
    assert not Booking.objects.filter(title=TITLE).exists()

    # She books the free dates: the series page leaves out 03-16 and lists 03-09 and 03-23.
    page.locator("#id_skip_conflicts").check()
    click_to_navigate(page, page.locator("#booking-form button[type=submit]"))
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main p time")).to_have_attribute("datetime", TAKEN.isoformat())
    series = page.locator("table tbody tr")
    expect(series).to_have_count(2)
    expect(series.nth(0).locator("td").first).to_have_text("115/03/09 10:00")
    expect(series.nth(1).locator("td").first).to_have_text("115/03/23 10:00")
    check(page, "booking detail")
    booked = Booking.objects.filter(title=TITLE).order_by("start")
    assert [b.start.astimezone(TAIPEI).date() for b in booked] == [FIRST, LAST]

    # 2. She requests two hours of personal leave with 劉承佑 as her deputy.
    page.goto(f"{base}/portal/leave/")
    check(page, "my leave")
    click_to_navigate(page, page.locator(".portal-subnav").locator('a[href$="/portal/leave/new/"]'))
    check(page, "leave form")
    page.locator("#id_leave_type").select_option(label="事假")
    page.locator("#id_start_date").fill(LEAVE_DAY.isoformat())
    page.locator("#id_start_time").fill("09:30")
    page.locator("#id_end_date").fill(LEAVE_DAY.isoformat())
    page.locator("#id_end_time").fill("11:30")
    page.locator("#id_reason").fill(REASON)
    page.locator("#id_deputy").select_option(label="劉承佑")
    click_to_navigate(page, page.locator("#leave-form button[type=submit]"))
    leave = LeaveRequest.objects.get(reason=REASON)
    expect(page.locator("h1")).to_contain_text(leave.number)
    expect(page.locator("#leave-status")).to_have_text(shown(LeaveStatus.AWAITING_DEPUTY))
    expect(page.locator("main dl")).to_contain_text("劉承佑")
    expect(page.locator("main dl")).to_contain_text("115/03/11 09:30")
    check(page, "leave detail (waiting for the deputy)")
    assert leave.hours == 2

    # 3. 劉承佑 finds it waiting for him as deputy and accepts.
    sign_in_as(page, base, "liu.chengyou")
    page.goto(f"{base}/portal/leave/")
    waiting = page.locator("#deputy-waiting")
    expect(waiting).to_contain_text("蔡雅婷")
    check(page, "my leave (deputy waiting)")
    click_to_navigate(page, waiting.get_by_role("link", name=leave.number))
    check(page, "leave detail (deputy)")
    click_to_navigate(page, page.locator("#accept"))
    expect(page.locator("#accept")).to_have_count(0)
    expect(page.locator("#leave-status")).to_have_text(shown(LeaveStatus.PENDING))

    # 4. 王建國 approves it from My approvals.
    sign_in_as(page, base, "wang.jianguo")
    page.goto(f"{base}/portal/mine/approvals/")
    row = page.locator("table tbody tr").filter(has_text="蔡雅婷")
    expect(row).to_have_count(1)
    check(page, "my approvals")
    click_to_navigate(page, row.locator("td.portal-title a"))
    assert "/documents/chains/" in page.url
    check(page, "the leave's approval")
    click_to_navigate(page, page.locator(".doc-action-buttons .btn-success"))
    expect(page.locator(".doc-action-buttons")).to_have_count(0)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    click_to_navigate(
        page, page.locator(f'#meta-heading + dl a[href="{leave.get_absolute_url()}"]')
    )
    expect(page.locator("#leave-status")).to_have_text(shown(LeaveStatus.APPROVED))
    check(page, "leave detail (approved)")
    page.goto(f"{base}/portal/mine/approvals/")
    expect(page.locator("table tbody tr").filter(has_text="蔡雅婷")).to_have_count(0)
    page.goto(f"{base}/portal/leave/")

    # 5. His team calendar (this month, March) shows her away on 03-11, approved.
    click_to_navigate(
        page, page.locator(".portal-subnav").locator('a[href$="/portal/leave/team/"]')
    )
    check(page, "team calendar")
    cell = page.locator("#team-calendar > li").filter(
        has=page.locator(f'time[datetime="{LEAVE_DAY.isoformat()}"]')
    )
    expect(cell).to_have_count(1)
    expect(cell.locator("h2")).to_have_text("115/03/11")
    away = cell.locator("ul > li")
    expect(away).to_have_count(1)
    expect(away).to_contain_text("蔡雅婷")
    expect(away).to_contain_text("事假")
    expect(away).to_contain_text("115/03/11 09:30 – 115/03/11 11:30")
    expect(away).to_contain_text(shown(LeaveStatus.APPROVED))
    expect(away.get_by_role("link", name="蔡雅婷")).to_have_attribute(
        "href", leave.get_absolute_url()
    )
