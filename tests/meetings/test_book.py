"""The meeting book: its PDF's text holds every unit's material (Chinese included) and the
carried-forward cases; a rebuild is a new version and keeps the old one."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import MeetingBook, UnitReport
from tests.accounts.factories import unit

from .conftest import at


def pdf_text(book: MeetingBook) -> str:
    with book.pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def earlier_case(owner, make_meeting, secretary):
    earlier = make_meeting(
        starts=(2026, 2, 12, 9, 30),
        deadline=(2026, 2, 10, 17, 0),
        now=(2026, 2, 1, 9, 0),
        title="部務會報一月",
    )
    with at(2026, 2, 12, 10, 0):
        case = services.directive_record(
            meeting=earlier,
            actor=secretary,
            directive="推動公文線上簽核全面上線",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 3, 5),
        )
    with at(2026, 3, 1, 9, 0):
        services.progress_file(case=case, actor=owner, text="已完成八成單位導入")
    return case


@pytest.fixture
def filed(owner, bli_head, earlier_case, meeting):
    with at(2026, 3, 5, 10, 0):
        services.agenda_item_add(meeting=meeting, actor=meeting.secretary, title="業務報告")
        for code, actor, text in (
            ("IM", owner, "資訊處完成雲端機房遷移"),
            ("BLI", bli_head, "勞保局年金給付案件增加"),
        ):
            services.report_save(
                report=UnitReport.objects.get(meeting=meeting, unit=unit(code)),
                actor=actor,
                summary=f"<p>{text}</p>",
                figures=[{"label": "案件數", "value": "1234"}],
            )
    return meeting


def test_the_pdf_holds_every_units_material_and_the_carried_cases(filed, controller, earlier_case):
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=filed, actor=controller)
    text = pdf_text(book)
    assert book.version == 1 and book.pages >= 4
    assert "資訊處完成雲端機房遷移" in text
    assert "勞保局年金給付案件增加" in text
    assert "歷次會議決議事項繼續列管案件" in text
    assert earlier_case.number in text and "推動公文線上簽核全面上線" in text
    assert "已完成八成單位導入" in text  # with its history
    assert "資訊處完成雲端機房遷移" in book.html


def test_the_pdf_has_page_numbers_and_bookmarks(filed, controller):
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=filed, actor=controller)
    with book.pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))

    def flat(outline):
        for entry in outline:
            yield from flat(entry) if isinstance(entry, list) else [entry.title]

    titles = list(flat(reader.outline))
    assert titles[0] == filed.title
    assert "1. 資訊處" in titles and "2. 勞工保險局" in titles
    assert f"1/{len(reader.pages)}" in "".join(reader.pages[0].extract_text().split())


def test_a_rebuild_after_a_late_change_is_a_new_version_and_keeps_the_old(filed, controller, owner):
    with at(2026, 3, 11, 9, 0):
        first = services.book_build(meeting=filed, actor=controller)
        report = UnitReport.objects.get(meeting=filed, unit=unit("IM"))
        request = services.late_change_request(report=report, actor=owner, reason="數字更正")
        services.late_change_decide(request=request, actor=controller, grant=True)
        services.report_save(report=report, actor=owner, summary="<p>資訊處更正後內容</p>")
        second = services.book_build(meeting=filed, actor=controller)
    assert (first.version, second.version) == (1, 2)
    assert "資訊處更正後內容" in pdf_text(second)
    assert "資訊處更正後內容" not in pdf_text(first)


def test_only_the_controller_builds(filed, chair, owner):
    for user in (chair, owner):
        with pytest.raises(PermissionDenied):
            services.book_build(meeting=filed, actor=user)


def test_the_book_is_read_by_full_readers_only(client, filed, controller, chair, owner):
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=filed, actor=controller)
    pdf = reverse("meetings:book_pdf", args=[filed.pk, 1])
    client.force_login(chair)
    assert client.get(book.get_absolute_url()).status_code == 200
    answer = client.get(pdf)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    client.force_login(owner)  # a filing unit sees its own material, not the book
    assert client.get(book.get_absolute_url()).status_code == 404
    assert client.get(pdf).status_code == 404
