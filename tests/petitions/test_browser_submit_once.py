"""The petition form's submit button in a real Chromium (issue 8 item 28): after the first
click it is disabled and a second click or submit is ignored, so a double click sends one
request. The test counts the submit events the page lets through (a listener on the document
sees each one after the form's own guard, and stops it so nothing navigates); then a real
double click leads to one case.
"""

import pytest

from petitions.models import Category, Petition
from tests.browser_support import DESKTOP

from .test_browser_public import fill_form, tiny_png

pytestmark = pytest.mark.browser

BUTTON = "form.pet-form button[type=submit]"


@pytest.fixture
def category(transactional_db):
    return Category.objects.create(code="wages", name_zh="工資爭議", name_en="Wage disputes")


COUNT_SUBMITS = """() => {
    window.submitsLetThrough = 0;
    document.addEventListener("submit", (event) => {
        if (!event.defaultPrevented) window.submitsLetThrough += 1;
        event.preventDefault();
    });
}"""


def filled_form(page, live_server, category, tmp_path):
    page.goto(live_server.url + "/petitions/")
    fill_form(
        page,
        category=category,
        png_path=tiny_png(tmp_path / "加班紀錄.png"),
        name="陳小明",
        email="chen.xiaoming@example.com",
        subject="公司未給付加班費",
        body="過去三個月每週加班十小時，公司都沒有給付加班費。",
    )


def test_a_double_click_sends_the_form_once(live_server, open_page, category, tmp_path):
    page = open_page(DESKTOP)
    filled_form(page, live_server, category, tmp_path)
    page.evaluate(COUNT_SUBMITS)
    page.locator(BUTTON).dblclick()
    page.wait_for_timeout(200)
    assert page.locator(BUTTON).is_disabled()
    # More tries while the first submission is "in flight": a click dispatched by script and
    # a programmatic submit.
    page.evaluate(
        """() => {
            const form = document.querySelector("form.pet-form");
            form.querySelector("button[type=submit]").click();
            form.requestSubmit();
        }"""
    )
    assert page.evaluate("window.submitsLetThrough") == 1

    # For real: a double click, one navigation, one case.
    filled_form(page, live_server, category, tmp_path)
    with page.expect_navigation():
        page.locator(BUTTON).dblclick()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/petitions/submitted/"
    assert Petition.objects.count() == 1
