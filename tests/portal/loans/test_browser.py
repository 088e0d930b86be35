"""In Chromium: borrow a laptop through the form, then every loans and supplies page (the
catalogue, forms, my lists, details, the loan desk, the store desk and the monthly report)
is axe-clean with no sideways scroll at 360 and 1280 px, with the demo data loaded."""

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from portal.demo_loans import load_loans_and_supplies
from portal.models import Loan, LoanItem, SupplyRequest
from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_axe,
    check_no_horizontal_overflow,
    check_pages,
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
    load_loans_and_supplies(StringIO())
    return LoanItem.objects.get(code="nb-05")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_borrow_a_laptop_and_every_page_is_clean(setting, live_server, open_page, viewport):
    laptop = setting
    page = open_page(viewport)
    log_in(page, live_server.url, "chen.yiming", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/loans/new/?item={laptop.pk}")
    check_no_horizontal_overflow(page, viewport, "loan form")
    check_axe(page, f"loan form at {viewport['width']}px")
    start = timezone.localdate() + dt.timedelta(days=10)
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill((start + dt.timedelta(days=2)).isoformat())
    page.locator("#id_purpose").fill("南區說明會簡報")
    with page.expect_navigation():
        page.locator("#loan-form button[type=submit]").click()
    loan = Loan.objects.get(item=laptop, purpose="南區說明會簡報")
    expect(page.locator("h1")).to_contain_text(loan.number)
    check_axe(page, f"loan detail at {viewport['width']}px")
    # An error page: the last day before the first.
    page.goto(f"{live_server.url}/portal/loans/new/")
    page.locator("#id_item").select_option(str(laptop.pk))
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill((start - dt.timedelta(days=1)).isoformat())
    page.locator("#id_purpose").fill("x")
    with page.expect_navigation():
        page.locator("#loan-form button[type=submit]").click()
    check_axe(page, f"loan form with errors at {viewport['width']}px")
    check_pages(
        page,
        live_server.url,
        [
            "/portal/loans/",
            laptop.get_absolute_url(),
            "/portal/loans/mine/",
            "/portal/supplies/",
            "/portal/supplies/new/",
            "/portal/supplies/mine/",
        ],
        viewport,
    )
    page = open_page(viewport)
    log_in(page, live_server.url, "lin.meihua", DEMO_PASSWORD)
    out = Loan.objects.filter(status="out").first()
    issued = SupplyRequest.objects.filter(status="issued").first()
    check_pages(
        page,
        live_server.url,
        [
            "/portal/loans/desk/",
            out.get_absolute_url(),
            "/portal/supplies/desk/",
            issued.get_absolute_url(),
            "/portal/supplies/report/",
        ],
        viewport,
    )
