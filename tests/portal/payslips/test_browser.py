"""In Chromium at 360 and 1280 px: my payslips, one slip with its e-mail form, and the payroll
officer's import page with a refused file's report — axe-clean, no sideways scroll."""

from io import StringIO

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from portal.demo_payslips import load_payslips
from portal.models import Payslip
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
def setting(transactional_db, settings, tmp_path):
    settings.MFA_REQUIRED_FOR_STAFF = False
    settings.MEDIA_ROOT = tmp_path / "media"
    load_users(StringIO())
    load_payslips(StringIO())


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_payslip_pages_are_accessible(setting, live_server, open_page, viewport, tmp_path):
    page = open_page(viewport)
    log_in(page, live_server.url, "lin.meihua", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/payslips/")
    expect(page.locator("#payslips tbody tr")).to_have_count(3)
    check_no_horizontal_overflow(page, viewport, "my payslips")
    check_axe(page, f"my payslips at {viewport['width']}px")
    page.locator("#payslips tbody tr a").first.click()
    expect(page.locator("#payslip-net")).to_be_visible()
    check_no_horizontal_overflow(page, viewport, "payslip")
    check_axe(page, f"payslip at {viewport['width']}px")
    page.goto(f"{live_server.url}/portal/payslips/import/")
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_number,month,type,item,amount\nNOBODY,2026-02,earning,本俸,1\n")
    page.locator("#id_file").set_input_files(str(bad))
    with page.expect_navigation():
        page.locator("#payroll-form button[type=submit]").click()
    expect(page.locator("#report tbody tr")).to_have_count(1)
    check_no_horizontal_overflow(page, viewport, "import report")
    check_axe(page, f"import report at {viewport['width']}px")
    assert Payslip.objects.count() == 18
