"""The subscriber's pages in a real Chromium at 360 and 1280 px: subscribe (with the form's
errors first), "check your mail", the confirmation by the e-mailed link, the preferences page,
"mail me my link" and the unsubscribe page. axe-core finds nothing serious on any of them and
nothing is wider than the screen; no CSP violation or script error (``open_page``).

The live server runs in this process and Celery is eager, so ``mail.outbox`` holds every mail.
Buttons are found by their place, not their words (the catalogue may not be translated yet).
"""

import re

import pytest
from django.core import mail

from epaper.models import Newsletter, Subscriber
from epaper.services import links
from tests.browser_support import (
    DESKTOP,
    PHONE,
    VIEWPORTS,
    check_axe,
    check_no_horizontal_overflow,
    html_lang,
    switch_language,
)

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+?/epaper/confirm/[\w-]+/")


def check(page, viewport, label):
    check_no_horizontal_overflow(page, viewport, label)
    check_axe(page, f"{label} {viewport['width']}px")


def states(subscriber):
    return dict(subscriber.subscriptions.values_list("newsletter__code", "state"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_subscribe_confirm_change_and_leave(live_server, open_page, transactional_db, viewport):
    page = open_page(viewport)
    base = live_server.url

    # 1. The form; sent empty first, its errors are accessible too.
    page.goto(base + "/epaper/")
    assert html_lang(page) == "zh-Hant"
    check(page, viewport, "subscription form")
    with page.expect_navigation():
        page.locator("main form.epaper-form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    check(page, viewport, "subscription form with errors")

    # 2. Two newsletters, the address, consent.
    page.get_by_label("勞工電子週報").check()
    page.get_by_label("勞動統計電子報").check()
    page.locator("#id_email").fill("chen.xiaoming@example.com")
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.locator("main form.epaper-form button[type=submit]").click()
    assert page.url == base + "/epaper/subscribed/"
    check(page, viewport, "check your mail page")

    # 3. The mail's link: a page with a button; the button confirms.
    [message] = mail.outbox
    link = LINK.search(message.body).group(0)
    assert link.startswith(base)
    page.goto(link)
    check(page, viewport, "confirmation page")
    subscriber = Subscriber.objects.get()
    assert set(states(subscriber).values()) == {"pending"}
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check(page, viewport, "confirmed page")
    assert set(states(subscriber).values()) == {"confirmed"}

    # 4. The preferences page (linked from the confirmed page): add one, drop one.
    with page.expect_navigation():
        page.locator("main a[href*='/epaper/preferences/']").click()
    check(page, viewport, "preferences page")
    page.get_by_label("勞動統計電子報").uncheck()
    page.get_by_label("勞工保險局電子報").check()
    with page.expect_navigation():
        page.locator("main form.epaper-form button[type=submit]").click()
    check(page, viewport, "preferences page after saving")
    assert states(subscriber) == {
        "weekly": "confirmed",
        "statistics": "unsubscribed",
        "bli": "confirmed",
    }

    # 5. The unsubscribe page of one newsletter: one button.
    token = links.unsubscribe_token(subscriber, Newsletter.objects.get(code="weekly"))
    page.goto(f"{base}/epaper/unsubscribe/{token}/")
    check(page, viewport, "unsubscribe page")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check(page, viewport, "unsubscribed page")
    assert states(subscriber)["weekly"] == "unsubscribed"

    # 6. "Mail me my link".
    page.goto(base + "/epaper/my-link/")
    check(page, viewport, "my link page")
    page.locator("#id_email").fill("chen.xiaoming@example.com")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check(page, viewport, "my link page after sending")
    assert len(mail.outbox) == 2 and "/epaper/preferences/" in mail.outbox[1].body

    # 7. A bad link is a clear page.
    page.goto(base + "/epaper/preferences/broken/")
    check(page, viewport, "invalid link page")


def test_the_english_form_at_1280px(live_server, open_page, transactional_db):
    page = open_page(DESKTOP)
    page.goto(live_server.url + "/epaper/")
    switch_language(page, "English")
    assert html_lang(page) == "en"
    assert page.get_by_label("Labor e-Weekly").is_visible()
    check(page, DESKTOP, "English subscription form")


def test_the_honeypot_is_not_reachable_by_keyboard_or_eye(live_server, open_page, transactional_db):
    page = open_page(PHONE)
    page.goto(live_server.url + "/epaper/")
    trap = page.locator("#id_website")
    assert trap.get_attribute("tabindex") == "-1"
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
