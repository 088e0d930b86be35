"""What only a browser shows: the board takes new figures without a reload, is axe-clean and
fits a phone; the intake form generated from a type works end to end."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from labor_admin.constants import ROLE_VIEWER
from labor_admin.models import Case
from tests.accounts.factories import PASSWORD
from tests.browser_support import DESKTOP, PHONE, check_axe, check_no_horizontal_overflow, log_in

from .factories import grant, make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _frozen_time():
    """Real time here: the browser and the live server keep their own clocks."""
    yield


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


def test_the_board_updates_without_a_reload(live_server, open_page, make_user, la_owner, office):
    reader = make_user(username="board.reader")
    grant(reader, ROLE_VIEWER, None)
    page = open_page(PHONE)
    log_in(page, live_server.url, "board.reader", PASSWORD)
    page.goto(live_server.url + "/labor-admin/board/")
    figure = page.locator('[data-figure="received_today"]')
    assert figure.inner_text() == "0"
    check_axe(page, "board 360px")
    check_no_horizontal_overflow(page, PHONE, "board")
    make_case(unit=office, actor=la_owner, received_on=timezone.localdate())
    page.evaluate("window.__same_page = true")
    page.evaluate("htmx.trigger('#board-figures', 'refresh')")
    # expect() polls from Playwright's side: a string predicate would be eval'd in the page,
    # which the portal's CSP (rightly) refuses.
    expect(figure).to_have_text("1", timeout=15_000)
    assert page.evaluate("window.__same_page") is True  # no navigation happened
    assert Case.objects.count() == 1


def test_the_board_refreshes_itself_at_the_configured_interval(
    settings, live_server, open_page, make_user, la_owner, office
):
    settings.LABOR_ADMIN_BOARD_REFRESH_SECONDS = 2
    reader = make_user(username="board.reader2")
    grant(reader, ROLE_VIEWER, None)
    page = open_page(DESKTOP)
    log_in(page, live_server.url, "board.reader2", PASSWORD)
    page.goto(live_server.url + "/labor-admin/board/")
    figure = page.locator('[data-figure="received_today"]')
    expect(figure).to_have_text("0")
    page.evaluate("window.__same_page = true")
    make_case(unit=office, actor=la_owner, received_on=timezone.localdate())
    expect(figure).to_have_text("1", timeout=15_000)  # no trigger: the 2 s poll alone
    assert page.evaluate("window.__same_page") is True
    check_axe(page, "board 1280px")


def test_intake_in_the_browser(live_server, open_page, la_owner, office):
    page = open_page(DESKTOP)
    log_in(page, live_server.url, la_owner.username, PASSWORD)
    page.goto(live_server.url + "/labor-admin/new/MED/")
    check_axe(page, "intake form 1280px")
    page.locator("#id_subject").fill("加班費爭議")
    page.locator("#id_applicant_name").fill("陳大文")
    page.locator("#id_employer_business_id").fill("53212539")
    page.locator("#id_data__dispute_kind").select_option("wage")
    page.locator("#id_data__workers").fill("3")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    case = Case.objects.get()
    assert page.url.endswith(f"/labor-admin/{case.pk}/")
    assert case.handler_id == la_owner.pk
    check_axe(page, "case page 1280px")
