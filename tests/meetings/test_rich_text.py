"""Rich-text sections of a unit's report: sanitised on save with a strict allow-list (nh3),
rendered in the web view and in the book's PDF; the textarea works without JavaScript; the
editor is a script file (the CSP has no inline script)."""

import pytest

from meetings import services
from meetings.forms import ReportForm
from meetings.models import UnitReport
from meetings.services.filing import clean_rich_text
from tests.accounts.factories import unit

from .conftest import at
from .test_book import pdf_text


@pytest.mark.parametrize(
    ("posted", "stored"),
    [
        ("<p>資安<script>alert(1)</script></p>", "<p>資安</p>"),
        ('<p onclick="x()" style="color:red" class="c">點擊</p>', "<p>點擊</p>"),
        ('<img src="x" onerror="alert(1)"><p>圖</p>', "<p>圖</p>"),
        ('<a href="javascript:alert(1)">連結</a>', "連結"),
        ("<style>p{}</style><p>樣式</p>", "<p>樣式</p>"),
        ("<iframe src=//x></iframe><p>框</p>", "<p>框</p>"),
        ("<svg><script>x</script></svg><p>向量</p>", "<p>向量</p>"),
        ("<!-- 註解 --><p>文</p>", "<p>文</p>"),
        ("<p>未閉合<strong>粗體", "<p>未閉合<strong>粗體</strong></p>"),
        ("<p><b>粗</b><i>斜</i><em>強調</em></p>", "<p><b>粗</b><i>斜</i><em>強調</em></p>"),
    ],
)
def test_markup_outside_the_allow_list_is_removed(posted, stored):
    assert clean_rich_text(posted) == stored


def test_tables_keep_their_cells_and_only_numeric_spans():
    html = clean_rich_text(
        '<table><thead><tr><th scope="col">項目</th><th>數值</th></tr></thead>'
        '<tbody><tr><td colspan="2" onmouseover="x">合計 1,234</td></tr></tbody></table>'
    )
    assert html == (
        '<table><thead><tr><th scope="col">項目</th><th>數值</th></tr></thead>'
        '<tbody><tr><td colspan="2">合計 1,234</td></tr></tbody></table>'
    )


def test_bidirectional_controls_and_hidden_characters_are_removed():
    evil = "<p>核准\u202e金額\u2066 100 \u2069\u202a萬\u202c\x00\x1b</p>"
    assert clean_rich_text(evil) == "<p>核准金額 100 萬</p>"
    assert clean_rich_text("<p>\u200f右至左標記\u200e</p>") == "<p>\u200f右至左標記\u200e</p>"


def test_plain_text_from_the_textarea_becomes_paragraphs_and_is_escaped():
    assert clean_rich_text("第一段\n第二行\r\n\r\n第二段 a & b") == (
        "<p>第一段<br>第二行</p>\n\n<p>第二段 a &amp; b</p>"
    )
    assert clean_rich_text("") == ""


def test_the_widget_is_a_textarea_with_the_editor_script_and_no_inline_code():
    html = str(ReportForm()["summary"])
    assert '<textarea name="summary"' in html and "data-rich-text=" in html
    assert 'meetings/rich-text.js" defer></script>' in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
    assert "&quot;bold&quot;" in html  # the toolbar's labels, as an escaped JSON attribute


def test_a_post_without_javascript_is_sanitised_and_shown_on_the_page(client, owner, meeting):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    client.force_login(owner)
    with at(2026, 3, 6, 10, 0):
        page = client.get(report.get_absolute_url()).content.decode()
        assert "rich-text.js" in page and 'name="summary"' in page
        answer = client.post(
            report.get_absolute_url(),
            {
                "summary": "雲端機房遷移<script>alert(1)</script>\n\n<第二期> 規劃",
                "issues": '<table><tr><td onclick="x">經費 500 萬</td></tr></table>',
            },
        )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert "<script" not in report.summary and "onclick" not in report.issues
    assert report.issues == "<table><tbody><tr><td>經費 500 萬</td></tr></tbody></table>"
    page = client.get(report.get_absolute_url()).content.decode()
    assert "<td>經費 500 萬</td>" in page and "alert(1)</script>" not in page


def test_the_book_renders_the_rich_text_in_the_web_view_and_the_pdf(owner, controller, meeting):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 6, 10, 0):
        services.report_save(
            report=report,
            actor=owner,
            summary="<h4>重點</h4><ul><li>雲端機房遷移完成</li></ul>"
            "<table><tr><th>項目</th><th>數值</th></tr><tr><td>上線系統</td><td>12</td></tr></table>",
            issues="<p>請人事處協助\u202e調整</p>",
        )
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=meeting, actor=controller)
    assert "<li>雲端機房遷移完成</li>" in book.html and "<td>上線系統</td>" in book.html
    assert "\u202e" not in book.html
    text = pdf_text(book)
    assert "雲端機房遷移完成" in text and "上線系統12" in text and "請人事處協助調整" in text
