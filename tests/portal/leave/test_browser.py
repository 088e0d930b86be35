"""In Chromium: sign in, request leave, the deputy accepts, the unit head approves it in the
sign-off page and sees it on the team calendar; the leave pages are axe-clean with no
sideways scroll at 360 and 1280 px."""

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from documents.selectors import open_chain_for
from portal.choices import LeaveStatus
from portal.demo_leave import load_leave
from portal.models import LeaveRequest
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
    load_leave(StringIO())
    day = timezone.localdate() + dt.timedelta(days=40)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def check(page, viewport, what):
    assert page.locator("h1").count() == 1, what
    check_no_horizontal_overflow(page, viewport, what)
    check_axe(page, f"{what} at {viewport['width']}px")


def switch(page, base, username):
    page.context.clear_cookies()
    log_in(page, base, username, DEMO_PASSWORD)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_request_leave_deputy_accepts_head_approves_and_sees_the_team_calendar(
    setting, live_server, open_page, viewport
):
    day = setting
    base = live_server.url
    page = open_page(viewport)
    log_in(page, base, "tsai.yating", DEMO_PASSWORD)
    page.goto(f"{base}/portal/leave/")
    check(page, viewport, "my leave")
    page.goto(f"{base}/portal/leave/new/")
    check(page, viewport, "leave form")
    page.locator("#id_leave_type").select_option(label="事假")
    page.locator("#id_start_date").fill(day.isoformat())
    page.locator("#id_start_time").fill("09:30")
    page.locator("#id_end_date").fill(day.isoformat())
    page.locator("#id_end_time").fill("11:30")
    page.locator("#id_reason").fill("辦理戶籍謄本")
    page.locator("#id_deputy").select_option(label="劉承佑")
    with page.expect_navigation():
        page.locator("#leave-form button[type=submit]").click()
    leave = LeaveRequest.objects.get(reason="辦理戶籍謄本")
    assert leave.hours == 2
    assert leave.status == LeaveStatus.AWAITING_DEPUTY
    expect(page.locator("h1")).to_contain_text(leave.number)
    check(page, viewport, "leave detail")

    switch(page, base, "liu.chengyou")
    page.goto(f"{base}{leave.get_absolute_url()}")
    with page.expect_navigation():
        page.locator("#accept").click()
    expect(page.locator("#accept")).to_have_count(0)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING

    switch(page, base, "wang.jianguo")
    chain = open_chain_for(leave)
    page.goto(f"{base}/documents/chains/{chain.pk}/")
    with page.expect_navigation():
        page.locator(".doc-action-buttons .btn-success").first.click()
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    page.goto(f"{base}/portal/leave/team/?month={day:%Y-%m}")
    calendar = page.locator("#team-calendar")
    expect(calendar.locator(f'time[datetime="{day.isoformat()}"]')).to_have_count(1)
    expect(calendar).to_contain_text("蔡雅婷")
    check(page, viewport, "team calendar")
