# ruff: noqa: F811 - the fixtures imported from issue_support are arguments of the tests
"""The archive and the editors' pages in a real Chromium at 360 and 1280 px: axe-core finds no
serious or critical violation, nothing scrolls sideways, one h1 per page; an issue's image is
served and shown; an editor writes, illustrates and schedules an issue through the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.sequences import next_value
from epaper.models import Issue, IssueAsset, IssueState, Newsletter
from epaper.services.assets import asset_upload
from epaper.services.issues import ISSUE_NUMBER_YEAR
from tests.browser_support import (
    DESKTOP,
    PHONE,
    VIEWPORTS,
    check_axe,
    check_no_horizontal_overflow,
    html_lang,
    log_in,
    switch_language,
)

from .issue_support import grant, make_issue, png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = (
    "<h1>勞動統計電子報</h1><h2>主要指標</h2>"
    "<table><caption>各業受僱員工平均薪資</caption>"
    '<tr><th scope="col">行業</th><th scope="col">經常性薪資</th><th scope="col">總薪資</th>'
    '<th scope="col">工時</th><th scope="col">年增率</th><th scope="col">備註</th></tr>'
    "<tr><td>製造業</td><td>45,210</td><td>58,903</td><td>168.2</td><td>2.6%</td>"
    "<td>含加班費及非經常性薪資</td></tr></table>"
    "<p>完整資料：https://www.mol.gov.tw/1607/2458/2464/very/long/address/without/any/break</p>"
    '<p><a href="https://www.mol.gov.tw/">勞動部網站</a></p>'
)


@pytest.fixture
def setup(transactional_db, settings, tmp_path, make_user, password):
    settings.SITE_URL = ""
    settings.MFA_REQUIRED_FOR_STAFF = False
    settings.MEDIA_ROOT = tmp_path / "media"
    weekly = Newsletter.objects.get(code="weekly")
    editor = grant(make_user(username="editor"), "epaper.editor.weekly")
    make_issue(weekly, "基本工資調整", "<h1>週報</h1><p>月薪29,500元。</p>", published_days_ago=14)
    illustrated = make_issue(weekly, "颱風假出勤", WIDE, created_by=editor)
    asset = asset_upload(
        issue=illustrated,
        upload=SimpleUploadedFile("chart.png", png_bytes(40, 30)),
        name="薪資統計圖",
        actor=editor,
    )
    with transaction.atomic():
        number = next_value(scope="epaper:issue:weekly", year=ISSUE_NUMBER_YEAR)
    Issue.objects.filter(pk=illustrated.pk).update(
        html=illustrated.html + f'<p><img src="/epaper/assets/{asset.pk}/" alt="薪資統計圖"></p>',
        state=IssueState.SENT,
        number=number,
        published_at=illustrated.created_at,
    )
    draft = make_issue(weekly, "年終獎金（草稿）", WIDE, created_by=editor)
    asset_upload(
        issue=draft, upload=SimpleUploadedFile("p.png", png_bytes()), name="圖", actor=editor
    )
    return {"editor": editor, "password": password, "draft": draft, "weekly": weekly}


def check_page(page, viewport, label):
    assert page.locator("h1").count() == 1, f"{label}: one h1"
    check_no_horizontal_overflow(page, viewport, label)
    check_axe(page, f"{label} at {viewport['width']}px")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_public_archive_is_accessible(live_server, open_page, setup, viewport):
    page = open_page(viewport)
    base = live_server.url
    for path, label in (
        ("/epaper/archive/", "archive index"),
        ("/epaper/archive/weekly/", "weekly archive"),
        ("/epaper/archive/weekly/2/", "issue page"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        check_page(page, viewport, label)
    # The issue's image is served and shown (CSP, type, authorisation).
    image = page.locator(".epaper-content img")
    assert image.count() == 1
    assert page.evaluate("document.querySelector('.epaper-content img').naturalWidth") == 40
    assert image.get_attribute("alt") == "薪資統計圖"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_editor_pages_are_accessible(live_server, open_page, setup, viewport):
    page = open_page(viewport)
    base = live_server.url
    log_in(page, base, "editor", setup["password"])
    draft = setup["draft"]
    for path, label in (
        ("/epaper/editor/", "editor home"),
        ("/epaper/editor/weekly/", "issues of the weekly"),
        ("/epaper/editor/weekly/new/", "new issue"),
        (f"/epaper/editor/weekly/{draft.pk}/", "issue edit"),
        (f"/epaper/editor/weekly/{draft.pk}/preview/", "preview"),
        (f"/epaper/editor/weekly/{draft.pk}/schedule/", "schedule"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        check_page(page, viewport, label)
    # A draft's image shows to its editor.
    page.goto(f"{base}/epaper/editor/weekly/{draft.pk}/")
    assert page.evaluate("document.querySelector('.epaper-thumb').naturalWidth") == 4


def test_an_editor_writes_illustrates_and_schedules_an_issue_at_360px(
    live_server, open_page, setup, tmp_path
):
    page = open_page(PHONE)
    base = live_server.url
    log_in(page, base, "editor", setup["password"])
    page.goto(base + "/epaper/editor/weekly/")
    with page.expect_navigation():
        page.locator("main a[href='/epaper/editor/weekly/new/']").first.click()
    # A missing title: the form comes back with what was typed and a linked error.
    page.locator("#id_title").fill("")
    page.locator("#id_html").fill("<h1>週報</h1><p>第一段<script>alert(1)</script></p>")
    with page.expect_navigation():
        page.locator("form.epaper-form button[type=submit]").click()
    assert "第一段" in page.locator("#id_html").input_value()
    assert page.get_by_role("alert").count() >= 1
    check_page(page, PHONE, "new issue with an error")
    page.locator("#id_title").fill("特別休假新制")
    with page.expect_navigation():
        page.locator("form.epaper-form button[type=submit]").click()
    issue = Issue.objects.get(title="特別休假新制")
    assert page.url == f"{base}/epaper/editor/weekly/{issue.pk}/"
    assert issue.html == "<h1>週報</h1><p>第一段</p>"
    # An image through the page.
    png = tmp_path / "休假統計.png"
    png.write_bytes(png_bytes(8, 8))
    page.locator("#id_file").set_input_files(str(png))
    page.locator("#id_name").fill("特別休假統計")
    with page.expect_navigation():
        page.locator("form[action$='/images/'] button[type=submit]").click()
    asset = IssueAsset.objects.get(issue=issue)
    assert f"/epaper/assets/{asset.pk}/" in page.locator(f"#asset-code-{asset.pk}").input_value()
    check_page(page, PHONE, "issue edit with an image")
    # Schedule it.
    with page.expect_navigation():
        page.locator(f"a[href='/epaper/editor/weekly/{issue.pk}/schedule/']").click()
    page.locator("#id_day").fill("2099-01-05")
    page.locator("#id_time").fill("09:30")
    with page.expect_navigation():
        page.locator("form.epaper-schedule button[type=submit]").click()
    issue.refresh_from_db()
    assert issue.state == IssueState.SCHEDULED
    assert issue.number == 3  # after the two published issues of the fixture
    check_page(page, PHONE, "scheduled issue")


def test_the_preview_at_1280px_in_english(live_server, open_page, setup):
    page = open_page(DESKTOP)
    base = live_server.url
    log_in(page, base, "editor", setup["password"])
    page.goto(f"{base}/epaper/editor/weekly/{setup['draft'].pk}/preview/")
    switch_language(page, "English")
    assert html_lang(page) == "en"
    check_page(page, DESKTOP, "preview")
    assert "各業受僱員工平均薪資" in page.locator(".epaper-content").inner_text()
    assert "製造業 | 45,210" in page.locator(".epaper-text").inner_text()
