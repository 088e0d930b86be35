"""The shared pages in a real Chromium: language switch, small screens, axe-core, CSP.

Set MOL_SCREENSHOT=1 to also save the 1280x800 intranet home as
static/core/img/intranet-home.png (used by the README).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SCREENSHOT = Path(settings.BASE_DIR) / "static" / "core" / "img" / "intranet-home.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = [pytest.param(PHONE, id="360px"), pytest.param(DESKTOP, id="1280px")]


@pytest.fixture
def browser(needs_chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=needs_chromium, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """A page factory; every page it makes records CSP violations and script errors."""
    contexts = []
    problems = []

    def make(viewport):
        context = browser.new_context(viewport=viewport, locale="zh-TW")
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], "CSP violations or script errors:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """These tests are about the pages; staff users' second factor is tested with accounts."""
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def demo_user(transactional_db, make_user):
    from core.models import Organization

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


def check_axe(page, label: str):
    """Inject the vendored axe-core (evaluate: the CSP blocks an inline <script> tag) and
    fail on any serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']}\n"
        + "\n".join(f"    {node['target']} {node.get('failureSummary', '')}" for node in v["nodes"])
        for v in bad
    )
    assert not bad, f"axe found serious/critical violations on {label}:\n{report}"
    assert result["passes"], f"axe ran no checks on {label}"


def check_no_horizontal_overflow(page, viewport, label: str):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= viewport["width"] + 1, (
        f"{label} overflows horizontally at {viewport['width']}px: scrollWidth {width}"
    )


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def h1(page) -> str:
    return page.locator("h1").inner_text().strip()


def switch_language(page, language_name: str):
    """Submit the header language form with its button, as a user would."""
    with page.expect_navigation():
        page.locator("form.language-switch").get_by_role("button", name=language_name).click()


def log_in(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/intranet/")
    assert "/accounts/login/" in page.url, "the intranet did not ask for a login"
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登入").click()


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
