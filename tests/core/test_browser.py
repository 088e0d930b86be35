"""The shared pages in a real Chromium: language switch, small screens, axe-core, CSP.

Set MOL_SCREENSHOT=1 to also save the 1280x800 intranet home as
static/core/img/intranet-home.png (used by the README).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from core.models import Organization
from tests.browser_support import (
    DESKTOP,
    PHONE,
    VIEWPORTS,
    check_axe,
    check_no_horizontal_overflow,
    h1,
    html_lang,
    log_in,
    switch_language,
)

pytestmark = pytest.mark.browser

SCREENSHOT = Path(settings.BASE_DIR) / "static" / "core" / "img" / "intranet-home.png"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """These tests are about the pages; staff users' second factor is tested with accounts."""
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def demo_user(transactional_db, make_user):
    # A transactional test empties the tables when it ends, reference data included.
    unit, _ = Organization.objects.get_or_create(
        code="IM",
        defaults={
            "name_zh": "資訊處",
            "name_en": "Department of Information Management",
            "kind": "support_office",
        },
    )
    return make_user(
        organization=unit,
        username="wang.jianguo",
        name_zh="王建國",
        name_en="Wang Jian-guo",
        job_title="科長",
        is_staff=True,
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_home_in_both_languages(transactional_db, live_server, open_page, viewport):
    page = open_page(viewport)
    page.goto(live_server.url + "/")

    assert html_lang(page) == "zh-Hant"
    assert h1(page) == "勞動部線上服務"
    check_no_horizontal_overflow(page, viewport, "public home (zh-Hant)")
    check_axe(page, f"public home zh-Hant {viewport['width']}px")

    switch_language(page, "English")

    assert page.url == live_server.url + "/"
    assert html_lang(page) == "en"
    assert h1(page) == "Online services of the Ministry of Labor"
    check_no_horizontal_overflow(page, viewport, "public home (en)")
    check_axe(page, f"public home en {viewport['width']}px")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_intranet_home_after_logging_in(live_server, open_page, demo_user, password, viewport):
    page = open_page(viewport)
    log_in(page, live_server.url, demo_user.username, password)

    assert page.url == live_server.url + "/intranet/"
    assert html_lang(page) == "zh-Hant"
    assert h1(page) == "王建國，您好"
    assert page.get_by_role("link", name="系統管理").count() == 2  # navbar and tile
    check_no_horizontal_overflow(page, viewport, "intranet home (zh-Hant)")
    check_axe(page, f"intranet home zh-Hant {viewport['width']}px")

    if viewport == DESKTOP and os.environ.get("MOL_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    switch_language(page, "English")

    assert page.url == live_server.url + "/intranet/"
    assert html_lang(page) == "en"
    assert h1(page) == "Welcome, Wang Jian-guo"
    check_no_horizontal_overflow(page, viewport, "intranet home (en)")
    check_axe(page, f"intranet home en {viewport['width']}px")

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.url == live_server.url + "/"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "同仁登入"),
        ("/public/accessibility/", "無障礙聲明"),
        ("/public/privacy/", "隱私權政策"),
        ("/no-such-page/", "找不到網頁 Page not found"),
    ],
)
def test_public_pages_pass_axe(transactional_db, live_server, open_page, viewport, path, heading):
    page = open_page(viewport)
    response = page.goto(live_server.url + path)

    assert response.status == (404 if path == "/no-such-page/" else 200)
    assert " ".join(h1(page).split()) == heading
    check_no_horizontal_overflow(page, viewport, path)
    check_axe(page, f"{path} {viewport['width']}px")


def test_failed_login_moves_focus_to_the_announced_error(live_server, open_page, demo_user):
    page = open_page(PHONE)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("帳號").fill(demo_user.username)
    page.get_by_label("密碼").fill("wrong password")
    with page.expect_navigation():
        page.get_by_role("button", name="登入").click()

    alert = page.get_by_role("alert")
    assert "登入失敗" in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check_axe(page, "login page with an error")


def test_skip_link_is_first_and_moves_focus_to_main(transactional_db, live_server, open_page):
    page = open_page(DESKTOP)
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要內容"
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
