"""Search across the current and earlier meetings: material, directives, progress and the
text inside attached PDF and DOCX files, with highlighted snippets, filters and the pages'
visibility."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from weasyprint import HTML

from meetings import search as search_module
from meetings import selectors, services
from meetings.models import SearchEntry, UnitReport
from meetings.search import matching, tokenize
from tests.accounts.factories import unit

from .conftest import at

PHRASE = "職場霸凌防治指引"


def pdf_with(text: str) -> bytes:
    return HTML(
        string=f"<html><body style=\"font-family: 'Noto Sans CJK TC'\"><p>{text}</p></body></html>"
    ).write_pdf()


def docx_with(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


@pytest.fixture
def old_meeting(owner, make_meeting):
    """A meeting three years ago whose IM material has a PDF with the phrase inside."""
    old = make_meeting(
        starts=(2023, 3, 9, 9, 30),
        deadline=(2023, 3, 7, 17, 0),
        now=(2023, 3, 1, 9, 0),
        title="112年第3次部務會報",
    )
    report = UnitReport.objects.get(meeting=old, unit=unit("IM"))
    with at(2023, 3, 2, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>Cloud migration</p>")
        services.attachment_add(
            report=report,
            actor=owner,
            upload=SimpleUploadedFile(
                "指引.pdf",
                pdf_with(f"本部研訂{PHRASE}草案，請各單位參考。"),
                content_type="application/pdf",
            ),
        )
    return old


def test_tokens_are_cjk_bigrams_and_lowercase_words():
    assert tokenize("勞動基準法 Labor Act") == "勞動 動基 基準 準法 labor act"


def test_finds_a_chinese_phrase_inside_a_pdf_of_a_meeting_three_years_ago(
    old_meeting, meeting, chair
):
    with at(2026, 3, 12, 9, 0):
        hits = selectors.search(chair, "霸凌防治")
    assert [h.entry.kind for h in hits] == ["attachment"]
    assert hits[0].entry.meeting == old_meeting
    assert "<mark>霸凌防治</mark>" in hits[0].snippet


def test_a_phrase_needs_its_characters_in_order(old_meeting, chair):
    assert selectors.search(chair, "防治霸凌") == []


def test_english_words_are_found_with_prefixes(old_meeting, chair):
    hits = selectors.search(chair, "cloud migr")
    assert [h.entry.kind for h in hits] == ["material"]
    assert "<mark>Cloud</mark>" in hits[0].snippet


def test_docx_text_is_searchable(owner, meeting, chair):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0):
        services.attachment_add(
            report=report,
            actor=owner,
            upload=SimpleUploadedFile(
                "說明.docx",
                docx_with("勞退新制提繳率調整"),
                content_type="application/octet-stream",
            ),
        )
    assert [h.entry.title for h in selectors.search(chair, "提繳率")] == ["說明.docx"]


def test_directives_and_progress_are_searchable(owner, meeting, chair, secretary):
    with at(2026, 3, 12, 10, 0):
        case = services.directive_record(
            meeting=meeting,
            actor=secretary,
            directive="檢討外籍移工聘僱流程",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 4, 1),
        )
        services.progress_file(case=case, actor=owner, text="已召開跨部會協調會議")
    assert [h.entry.kind for h in selectors.search(chair, "移工聘僱")] == ["directive"]
    assert [h.entry.kind for h in selectors.search(chair, "協調會議")] == ["progress"]


def test_filters_by_unit_series_and_date(old_meeting, chair):
    assert selectors.search(chair, PHRASE, unit=unit("BLI")) == []
    assert len(selectors.search(chair, PHRASE, unit=unit("IM"))) == 1
    assert selectors.search(chair, PHRASE, date_from=dt.date(2024, 1, 1)) == []
    assert len(selectors.search(chair, PHRASE, series=old_meeting.series)) == 1


def test_search_keeps_the_pages_visibility(old_meeting, owner, outsider, bli_head):
    assert len(selectors.search(owner, PHRASE)) == 1  # its own unit's file
    assert selectors.search(outsider, PHRASE) == []
    assert selectors.search(bli_head, PHRASE) == []  # another filing unit's material


def test_search_page_highlights(client, old_meeting, chair):
    client.force_login(chair)
    page = client.get(reverse("meetings:search"), {"q": "霸凌"}).content.decode()
    assert "<mark>霸凌</mark>" in page


def test_stored_text_is_escaped_in_snippets(owner, meeting, chair):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>&lt;b&gt;重點&lt;/b&gt;</p>")
    snippet = selectors.search(chair, "重點")[0].snippet
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet


def test_a_file_that_is_not_pdf_or_docx_is_refused(owner, meeting):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0), pytest.raises(Exception) as error:
        services.attachment_add(
            report=report,
            actor=owner,
            upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf"),
        )
    assert "file" in error.value.message_dict
    assert not SearchEntry.objects.filter(kind="attachment").exists()


@pytest.mark.postgres_only
def test_postgres_answers_from_the_gin_index_of_bigrams_without_a_phrase_recheck(
    old_meeting, chair
):
    query = str(matching(selectors.search_entries(chair), "霸凌防治").query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM meetings_searchentry WHERE vector @@ to_tsquery('simple', %s)",
            [search_module._tsquery("霸凌防治")],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "meetings_search_vector_gin" in plan
    assert "vector @@" in query
    # every bigram ANDed (the index answers exactly), the order checked on the tokens
    assert search_module._tsquery("霸凌防治") == "霸凌 & 凌防 & 防治"
    assert "<->" not in search_module._tsquery("最低工資審議 pension")
    assert search_module.phrases("霸凌防治 資安 x") == ["霸凌 凌防 防治"]


def _entry(meeting, text, day):
    return SearchEntry.objects.create(
        kind="material",
        source_id=SearchEntry.objects.count() + 1000,
        meeting=meeting,
        series=meeting.series,
        unit=unit("IM"),
        day=day,
        title="x",
        text=text,
        tokens=tokenize(text),
        url="/",
    )


def test_bigrams_out_of_order_are_no_match_even_beyond_the_first_candidates(
    meeting, chair, monkeypatch
):
    """Newer rows holding every bigram of the phrase but not in order fill the first rounds of
    candidates; the older true match is still found (the rounds grow)."""
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    true = _entry(meeting, "本部推動最低工資審議作業", dt.date(2020, 1, 1))
    for n in range(5):
        _entry(meeting, "審議 最低 資審 工資 低工", dt.date(2021, 1, 1 + n))
    hits = selectors.search(chair, "最低工資審議")
    assert [h.entry.pk for h in hits] == [true.pk]
    assert selectors.search(chair, "審議工資") == []


def test_the_newest_come_first_and_the_limit_holds_across_rounds(meeting, chair, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    rows = [_entry(meeting, f"第{n}次勞資爭議調解", dt.date(2020, 1, 1 + n)) for n in range(7)]
    _entry(meeting, "爭議 勞資 資爭", dt.date(2022, 1, 1))
    hits = selectors.search(chair, "勞資爭議", limit=5)
    assert [h.entry.pk for h in hits] == [r.pk for r in reversed(rows)][:5]
