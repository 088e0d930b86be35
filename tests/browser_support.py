"""Helpers for the browser tests: Debian's Chromium driven by Playwright, axe-core (vendored
under tests/vendor/) and checks every page must pass (CSP, script errors, small screens)."""

from pathlib import Path

import pytest
from django.db import connections

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
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
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - after needs_chromium

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=needs_chromium, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Playwright's event loop runs while the test does, which makes Django's
            # connections context-local: the connection the test and its fixtures opened
            # belongs to this context and is closed here, or it outlives the test (and the
            # test database can no longer be dropped: "being accessed by other users").
            connections.close_all()


@pytest.fixture
def open_page(browser):
    """A page factory; every page it makes records CSP violations and script errors."""
    contexts = []
    problems = []

    def make(viewport, locale="zh-TW"):
        context = browser.new_context(viewport=viewport, locale=locale)
        contexts.append(context)
        page = context.new_page()
        watch_problems(page, problems)
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], "CSP violations or script errors:\n" + "\n".join(problems)


def watch_problems(page, problems: list) -> None:
    """Record CSP violations and script errors of ``page`` in ``problems``."""
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))


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


def check_pages(page, base_url: str, paths, viewport) -> None:
    """Open each of ``paths``: a 200, one h1, no sideways scroll and axe-clean at ``viewport``."""
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        check_no_horizontal_overflow(page, viewport, path)
        check_axe(page, f"{path} at {viewport['width']}px")


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
