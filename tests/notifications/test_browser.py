"""In Chromium: the header badge updates without a reload when a notice arrives, the
browser's Notification API shows it when allowed, and the inbox is axe-clean at 360 and
1280 px without horizontal overflow."""

import pytest
from playwright.sync_api import expect

from notifications.services import notify
from tests.browser_support import VIEWPORTS, check_axe, check_no_horizontal_overflow, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FAKE_NOTIFICATION = """
window.__shown = [];
class FakeNotification {
  constructor(title, options) { window.__shown.push(title); }
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
}
window.Notification = FakeNotification;
"""


@pytest.fixture(autouse=True)
def _fast_poll(settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


def test_the_badge_updates_live_and_the_desktop_is_told(live_server, open_page, owner, password):
    page = open_page({"width": 1280, "height": 800})
    page.add_init_script(FAKE_NOTIFICATION)
    log_in(page, live_server.url, owner.username, password)
    count = page.locator("[data-notif-count]")
    assert count.is_hidden()
    page.evaluate("window.__marker = 'same page'")
    notify(recipients=[owner], kind="todo", title="請核稿：115 勞資字第 1 號", link="/documents/")
    expect(count).to_have_text("1", timeout=15000)
    assert count.is_visible()
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    for _i in range(50):
        if page.evaluate("window.__shown.length"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.__shown") == ["請核稿：115 勞資字第 1 號"]
    notify(recipients=[owner], kind="information", title="Second")
    expect(count).to_have_text("2", timeout=15000)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_inbox_is_accessible(live_server, open_page, owner, password, viewport):
    long_title = "請核稿：一份很長很長的公文標題" * 3
    notify(recipients=[owner], kind="todo", title=long_title, body="說明" * 80, link="/documents/")
    notify(recipients=[owner], kind="alert", title="系統警示", priority="high")
    page = open_page(viewport)
    log_in(page, live_server.url, owner.username, password)
    for path in ("/notifications/", "/notifications/preferences/", "/notifications/tokens/"):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        check_axe(page, f"{path} at {viewport['width']}px")
        check_no_horizontal_overflow(page, viewport, path)
