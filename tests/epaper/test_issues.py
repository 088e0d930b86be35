# ruff: noqa: F811 - the fixtures imported from issue_support are arguments of the tests
"""Writing issues (services.issues): the sanitiser, the plain-text part, who may write, and the
life of an issue until its sending starts (schedule, number, unschedule, cancel)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from epaper.models import Issue, IssueState
from epaper.services.issues import (
    clean_html,
    html_to_text,
    issue_cancel,
    issue_create,
    issue_schedule,
    issue_template_html,
    issue_unschedule,
    issue_update,
)

from .issue_support import (  # noqa: F401 - fixtures
    SITE,
    bulletin,
    editors,
    make_issue,
    manager,
    site,
    weekly,
)

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")


# --- Sanitising --------------------------------------------------------------------------------


def test_scripts_styles_and_unknown_elements_are_removed_with_their_content(site):
    html = clean_html(
        "<p>前</p><script>alert(1)</script><style>p{color:red}</style>"
        "<iframe src='https://evil.example/'></iframe><form><input name=x></form><p>後</p>"
    )
    assert html == "<p>前</p><p>後</p>"


def test_event_and_style_attributes_are_removed(site):
    html = clean_html(
        '<p onclick="steal()" style="color:red" class="x">文字</p>'
        '<img src="https://cdn.example.org/a.png" onerror="steal()" alt="圖">'
    )
    assert "onclick" not in html and "onerror" not in html and "style" not in html
    assert "class" not in html
    assert html == '<p>文字</p><img src="https://cdn.example.org/a.png" alt="圖">'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x61;script:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "/relative/path",
        "ftp://files.example.org/x",
    ],
)
def test_links_other_than_http_https_mailto_lose_their_address_and_keep_their_text(site, href):
    html = clean_html(f'<p><a href="{href}">按這裡</a></p>')
    assert html == "<p>按這裡</p>"


def test_http_https_and_mailto_links_are_kept_with_a_safe_rel(site):
    html = clean_html(
        '<p><a href="https://www.mol.gov.tw/">勞動部</a> <a href="http://example.org/">舊站</a> '
        '<a href="mailto:service@mol.gov.tw">來信</a></p>'
    )
    assert 'href="https://www.mol.gov.tw/"' in html
    assert 'href="http://example.org/"' in html
    assert 'href="mailto:service@mol.gov.tw"' in html
    assert html.count('rel="noopener noreferrer"') == 3


def test_images_come_only_from_our_assets_made_absolute_or_from_https(site):
    html = clean_html(
        '<img src="/epaper/assets/12/" alt="本站">'
        f'<img src="{SITE}/epaper/assets/13/" alt="本站絕對">'
        '<img src="https://cdn.example.org/p.png" alt="外站" width="300" height="200">'
        '<img src="http://cdn.example.org/p.png" alt="明文">'
        '<img src="data:image/png;base64,AAAA" alt="內嵌">'
        '<img src="/media/epaper/x.png" alt="其他路徑">'
        '<img src="https://cdn.example.org/q.png" width="99999" height="abc">'
    )
    assert f'src="{SITE}/epaper/assets/12/"' in html
    assert f'src="{SITE}/epaper/assets/13/"' in html
    assert 'width="300" height="200"' in html
    assert "http://cdn" not in html and "data:" not in html and "/media/" not in html
    assert 'alt="明文"' not in html and 'alt="內嵌"' not in html  # the whole image is dropped
    assert '<img src="https://cdn.example.org/q.png">' in html  # bad sizes dropped


def test_bidirectional_controls_are_removed_from_text_and_attributes(site):
    html = clean_html(
        '<p>檔案\u202egnp.exe</p><a href="https://example.org/\u2066x">\u200f連結</a>'
        '<img src="https://example.org/a.png" alt="\u202b圖">'
    )
    for control in ("\u202e", "\u2066", "\u200f", "\u202b"):
        assert control not in html
    assert "檔案gnp.exe" in html


def test_the_allowed_elements_survive(site):
    source = (
        "<h1>一</h1><h2>二</h2><h3>三</h3><p><strong>粗</strong><em>斜</em><br>換行</p>"
        "<ul><li>甲</li></ul><ol><li>乙</li></ol><blockquote><p>引</p></blockquote><hr>"
        '<table><caption>表</caption><thead><tr><th scope="col">欄</th></tr></thead>'
        "<tbody><tr><td>值</td></tr></tbody></table>"
    )
    assert clean_html(source) == source


# --- The plain-text part -----------------------------------------------------------------------


def test_the_text_part_has_headings_paragraphs_lists_tables_and_links(site):
    html = clean_html(
        "<h1>勞工電子週報</h1><p>親愛的讀者：<br>您好。</p>"
        '<h2>本期重點</h2><p>詳見<a href="https://www.mol.gov.tw/news">勞動部網站</a>，'
        '或<a href="mailto:service@mol.gov.tw">來信詢問</a>。'
        '<a href="https://example.org/">https://example.org/</a></p>'
        "<ul><li>基本工資<ul><li>月薪</li></ul></li><li>加班費</li></ul>"
        "<ol><li>第一</li><li>第二</li></ol>"
        "<table><tr><th>年</th><th>人數</th></tr><tr><td>114</td><td>1,000</td></tr></table>"
        "<blockquote><p>引用</p></blockquote><hr>"
        '<p><img src="https://example.org/a.png" alt="統計圖"></p>'
    )
    text = html_to_text(html)
    assert text == (
        "勞工電子週報\n"
        "============\n\n"
        "親愛的讀者：\n您好。\n\n"
        "本期重點\n"
        "--------\n\n"
        "詳見勞動部網站 (https://www.mol.gov.tw/news)，或來信詢問 (service@mol.gov.tw)。"
        "https://example.org/\n\n"
        "- 基本工資\n  - 月薪\n- 加班費\n\n"
        "1. 第一\n2. 第二\n\n"
        "年 | 人數\n114 | 1,000\n\n"
        "> 引用\n\n" + "-" * 40 + "\n\n[統計圖]\n"
    )


def test_the_text_part_of_nothing_is_empty():
    assert html_to_text("") == ""
    assert html_to_text("<p> </p>") == ""


def test_saving_keeps_the_html_sanitised_and_the_text_generated(site, weekly, editors):
    owner, _colleague, _outsider = editors
    issue = issue_create(
        newsletter=weekly,
        title="  第一期\u202e  ",
        html='<p onclick="x()">你好 <a href="javascript:bad()">壞</a> '
        '<a href="https://www.mol.gov.tw/">好</a></p><script>x()</script>',
        actor=owner,
    )
    issue.refresh_from_db()
    assert issue.title == "第一期"
    assert issue.state == IssueState.DRAFT
    assert issue.created_by == owner
    assert issue.number is None
    assert issue.html == (
        '<p>你好 壞 <a href="https://www.mol.gov.tw/" rel="noopener noreferrer">好</a></p>'
    )
    assert issue.text == "你好 壞 好 (https://www.mol.gov.tw/)\n"
    issue_update(issue=issue, title="第一期（修）", html="<h2>新</h2><p>文</p>", actor=owner)
    issue.refresh_from_db()
    assert (issue.title, issue.html, issue.text) == (
        "第一期（修）",
        "<h2>新</h2><p>文</p>",
        "新\n--\n\n文\n",
    )


def test_the_template_of_a_new_issue_is_sanitised_html_naming_the_newsletter(site, weekly):
    html = issue_template_html(weekly)
    assert html.startswith("<h1>勞工電子週報</h1>")
    assert html == clean_html(html)
    assert "<h2>" in html and "1955" in html


def test_a_title_is_required_and_the_error_names_the_field(site, weekly, editors):
    owner, _c, _o = editors
    with pytest.raises(ValidationError) as caught:
        issue_create(newsletter=weekly, title=" \u202e ", html="<p>x</p>", actor=owner)
    assert "title" in caught.value.message_dict


# --- Who may write ----------------------------------------------------------------------------


def test_only_editors_of_the_newsletter_and_managers_write_its_issues(
    site, weekly, editors, manager, make_user
):
    owner, colleague, outsider = editors
    assert issue_create(newsletter=weekly, title="編輯", html="<p>x</p>", actor=owner).pk
    assert issue_create(newsletter=weekly, title="管理者", html="<p>x</p>", actor=manager).pk
    superuser = make_user(username="root", is_superuser=True, is_staff=True)
    assert issue_create(newsletter=weekly, title="超級", html="<p>x</p>", actor=superuser).pk
    for refused in (colleague, outsider, None):
        with pytest.raises(PermissionDenied):
            issue_create(newsletter=weekly, title="不行", html="<p>x</p>", actor=refused)
    issue = Issue.objects.get(title="編輯")
    for refused in (colleague, outsider):
        with pytest.raises(PermissionDenied):
            issue_update(issue=issue, title="改", html="<p>y</p>", actor=refused)
        with pytest.raises(PermissionDenied):
            issue_schedule(issue=issue, at=timezone.now(), actor=refused)
        with pytest.raises(PermissionDenied):
            issue_cancel(issue=issue, actor=refused)
    issue.refresh_from_db()
    assert (issue.title, issue.state, issue.number) == ("編輯", IssueState.DRAFT, None)


def test_an_inactive_editor_writes_nothing(site, weekly, editors):
    owner, _c, _o = editors
    owner.is_active = False
    owner.save()
    with pytest.raises(PermissionDenied):
        issue_create(newsletter=weekly, title="x", html="<p>x</p>", actor=owner)


# --- Schedule, number, unschedule, cancel -----------------------------------------------------


@freeze_time("2026-03-05 01:00:00")  # 09:00 in Taipei
def test_scheduling_gives_the_next_number_of_the_newsletter_once(site, weekly, bulletin, editors):
    owner, colleague, _o = editors
    first = issue_create(newsletter=weekly, title="一", html="<p>一</p>", actor=owner)
    second = issue_create(newsletter=weekly, title="二", html="<p>二</p>", actor=owner)
    other = issue_create(newsletter=bulletin, title="簡訊", html="<p>簡</p>", actor=colleague)
    at = datetime(2026, 3, 6, 9, 30, tzinfo=TAIPEI)
    first = issue_schedule(issue=first, at=at, actor=owner)
    assert (first.state, first.number, first.scheduled_at) == (IssueState.SCHEDULED, 1, at)
    assert issue_schedule(issue=second, at=at, actor=owner).number == 2
    assert issue_schedule(issue=other, at=at, actor=colleague).number == 1  # its own counter
    # Unschedule and schedule again: the number stays (the archive URL never changes).
    first = issue_unschedule(issue=first, actor=owner)
    assert (first.state, first.scheduled_at, first.number) == (IssueState.DRAFT, None, 1)
    later = datetime(2026, 3, 7, 8, 0, tzinfo=TAIPEI)
    first = issue_schedule(issue=first, at=later, actor=owner)
    assert (first.number, first.scheduled_at) == (1, later)
    # Rescheduling a scheduled issue changes only its time.
    first = issue_schedule(issue=first, at=at, actor=owner)
    assert (first.state, first.number, first.scheduled_at) == (IssueState.SCHEDULED, 1, at)
    third = issue_create(newsletter=weekly, title="三", html="<p>三</p>", actor=owner)
    assert issue_schedule(issue=third, at=at, actor=owner).number == 3


@freeze_time("2026-03-05 01:00:30")
def test_the_time_to_send_is_now_or_later_and_naive_times_are_taipei_times(site, weekly, editors):
    owner, _c, _o = editors
    issue = issue_create(newsletter=weekly, title="一", html="<p>一</p>", actor=owner)
    with pytest.raises(ValidationError) as caught:
        issue_schedule(issue=issue, at=datetime(2026, 3, 5, 8, 59, tzinfo=TAIPEI), actor=owner)
    assert "at" in caught.value.message_dict
    issue.refresh_from_db()
    assert (issue.state, issue.number) == (IssueState.DRAFT, None)  # nothing taken
    # "Now" (this minute) is accepted, and never stored before now.
    issue = issue_schedule(issue=issue, at=datetime(2026, 3, 5, 9, 0, tzinfo=TAIPEI), actor=owner)
    assert issue.state == IssueState.SCHEDULED
    assert issue.scheduled_at == timezone.now()
    issue = issue_schedule(issue=issue, at=datetime(2026, 3, 5, 18, 0), actor=owner)  # noqa: DTZ001 - naive on purpose
    assert issue.scheduled_at == datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("UTC"))


def test_an_issue_without_content_cannot_be_scheduled(site, weekly, editors):
    owner, _c, _o = editors
    issue = issue_create(newsletter=weekly, title="空", html="<script>x</script>", actor=owner)
    with pytest.raises(ValidationError) as caught:
        issue_schedule(issue=issue, at=timezone.now() + timedelta(hours=1), actor=owner)
    assert "html" in caught.value.message_dict
    issue.refresh_from_db()
    assert issue.number is None


@pytest.mark.parametrize("state", [IssueState.SENDING, IssueState.SENT, IssueState.CANCELLED])
def test_edits_are_refused_once_sending_started_or_cancelled(site, weekly, editors, state):
    owner, _c, _o = editors
    issue = make_issue(weekly, "已寄出", "<p>原文</p>", state=state)
    soon = timezone.now() + timedelta(hours=1)
    for attempt in (
        lambda: issue_update(issue=issue, title="改", html="<p>改</p>", actor=owner),
        lambda: issue_schedule(issue=issue, at=soon, actor=owner),
        lambda: issue_cancel(issue=issue, actor=owner),
        lambda: issue_unschedule(issue=issue, actor=owner),
    ):
        with pytest.raises(ValidationError):
            attempt()
    issue.refresh_from_db()
    assert (issue.title, issue.html, issue.state) == ("已寄出", "<p>原文</p>", state)


def test_a_stale_copy_of_an_issue_cannot_overwrite_a_send_that_started(site, weekly, editors):
    """The service re-reads the issue under a lock: an editor's page loaded before the send
    started cannot save over it."""
    owner, _c, _o = editors
    issue = issue_create(newsletter=weekly, title="一", html="<p>一</p>", actor=owner)
    stale = Issue.objects.get(pk=issue.pk)
    Issue.objects.filter(pk=issue.pk).update(state=IssueState.SENDING)
    with pytest.raises(ValidationError) as caught:
        issue_update(issue=stale, title="改", html="<p>改</p>", actor=owner)
    assert caught.value.code == "not_editable"
    assert Issue.objects.get(pk=issue.pk).title == "一"


def test_cancel_drops_a_draft_or_scheduled_issue_for_good(site, weekly, editors):
    owner, _c, _o = editors
    issue = issue_create(newsletter=weekly, title="一", html="<p>一</p>", actor=owner)
    issue = issue_schedule(issue=issue, at=timezone.now() + timedelta(days=1), actor=owner)
    issue = issue_cancel(issue=issue, actor=owner)
    assert (issue.state, issue.scheduled_at, issue.number) == (IssueState.CANCELLED, None, 1)
    with pytest.raises(ValidationError):
        issue_schedule(issue=issue, at=timezone.now() + timedelta(days=1), actor=owner)
