"""In Chromium: a unit head's My approvals (a restricted room's booking and a document waiting
for them) and a requester's My requests, axe-clean at 360 and 1280 px with no sideways
scroll; the approval's link opens the page where it is acted on."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from core.models import Organization
from documents import services as documents_services
from documents.choices import DocumentCategory, SecurityLevel
from portal import services
from portal.models import Building, Room
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
    people = get_user_model().objects
    head, requester = people.get(username="wang.jianguo"), people.get(username="chen.yiming")
    building = Building.objects.create(code="hq", name_zh="本部大樓", name_en="Headquarters")
    hall = Room.objects.create(
        building=building,
        code="hq-1-hall",
        floor="1F",
        name_zh="大禮堂",
        name_en="Auditorium",
        capacity=200,
        managing_unit=Organization.objects.get(code="SEC"),
        restricted=True,
        approver=head,
    )
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(10))
    )
    services.booking_create(
        actor=requester, room=hall, start=start, end=start + dt.timedelta(hours=2), title="年度大會"
    )
    document = documents_services.document_register(
        unit=Organization.objects.get(code="IM"),
        subject="函復立法院質詢",
        sender="立法院",
        receiver="勞動部",
        category=DocumentCategory.INCOMING,
        security_level=SecurityLevel.ORDINARY,
        deadline=None,
        registered_by=requester,
    )
    documents_services.signoff_start(
        document=document, steps=[{"order": 1, "user": head}], started_by=requester
    )
    return head, requester


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_my_approvals_and_my_requests_are_clean_and_lead_to_where_to_act(
    setting, live_server, open_page, viewport
):
    page = open_page(viewport)
    log_in(page, live_server.url, "wang.jianguo", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/mine/approvals/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    check_no_horizontal_overflow(page, viewport, "my approvals")
    check_axe(page, f"my approvals at {viewport['width']}px")
    page.locator("#id_kind").select_option("portal.booking")
    with page.expect_navigation():
        page.locator("form.portal-filter button[type=submit]").click()
    expect(rows).to_have_count(1)
    check_axe(page, f"my approvals filtered at {viewport['width']}px")
    with page.expect_navigation():
        rows.first.locator("a").click()
    expect(page.locator("h1")).to_have_count(1)
    assert "/documents/chains/" in page.url

    page.context.clear_cookies()
    log_in(page, live_server.url, "chen.yiming", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/mine/requests/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("年度大會")
    check_no_horizontal_overflow(page, viewport, "my requests")
    check_axe(page, f"my requests at {viewport['width']}px")
