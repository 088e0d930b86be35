"""The rich-text editor of a unit's report in Chromium: the textarea becomes a toolbar and an
editable area (a script file: no CSP violation), bold text and a table are posted and stored
sanitised; axe-clean and no sideways scroll at 360 and 1280 px."""

from io import StringIO

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_users
from meetings.demo import load_meetings
from meetings.models import Meeting, UnitReport
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
def report(transactional_db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    load_users(StringIO())
    load_meetings(StringIO())
    return UnitReport.objects.get(meeting=Meeting.objects.get(status="filing"), unit__code="IM")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_editor_posts_bold_text_and_a_table(report, live_server, open_page, viewport):
    page = open_page(viewport)
    log_in(page, live_server.url, "wang.jianguo", DEMO_PASSWORD)
    page.goto(live_server.url + report.get_absolute_url())
    editor = page.locator("#id_summary_editor")
    expect(editor).to_be_visible()
    expect(page.locator("textarea#id_summary")).to_be_hidden()
    expect(page.get_by_role("toolbar").first).to_be_visible()
    check_no_horizontal_overflow(page, viewport, "report form")
    check_axe(page, f"report form at {viewport['width']}px")

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("雲端機房 ")
    page.locator('[aria-controls="id_summary_editor"] [data-command="bold"]').click()
    page.keyboard.type("全部完成")
    page.locator('[aria-controls="id_summary_editor"] [data-command="bold"]').click()
    page.keyboard.press("Enter")
    page.locator('[aria-controls="id_summary_editor"] [data-command="table"]').click()
    page.keyboard.type("上線系統")
    expect(editor.locator("table")).to_have_count(1)
    save = page.locator("#id_summary").locator("xpath=ancestor::form//button[@type='submit']")
    with page.expect_navigation():
        save.first.click()
    report.refresh_from_db()
    assert "全部完成" in report.summary
    assert "<b>全部完成</b>" in report.summary or "<strong>全部完成</strong>" in report.summary
    assert "<table>" in report.summary and "上線系統" in report.summary
    assert "style=" not in report.summary
