"""The meeting book: its PDF's text holds every unit's material (Chinese included) and the
carried-forward cases; a rebuild is a new version and keeps the old one."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import BookJob, MeetingBook, UnitReport
from meetings.services import book as book_module
from meetings.services.book import book_context
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


def test_the_pdf_prints_only_the_latest_progress_and_the_web_view_the_whole_history(
    filed, controller, earlier_case, owner
):
    with at(2026, 3, 2, 9, 0):
        services.progress_file(case=earlier_case, actor=owner, text="全部單位均已導入完成")
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=filed, actor=controller)
    text = pdf_text(book)
    assert "全部單位均已導入完成" in text
    assert "已完成八成單位導入" not in text  # the earlier note: web view only
    assert "已完成八成單位導入" in book.html and "全部單位均已導入完成" in book.html


def test_the_book_context_takes_a_fixed_number_of_queries(
    filed, controller, earlier_case, owner, django_assert_max_num_queries
):
    with at(2026, 3, 2, 9, 0):
        for n in range(3):
            services.progress_file(case=earlier_case, actor=owner, text=f"第{n}次辦理情形")
    with django_assert_max_num_queries(8):
        context = book_context(filed)
        render_to_string("meetings/book/pdf_content.html", {**context, "version": 1})
        render_to_string("meetings/book/content.html", {**context, "version": 1})
    assert context["cases"][0].latest_progress.text == "第2次辦理情形"


def test_the_build_runs_as_a_job_that_reports_progress_and_links_the_version(
    client, filed, controller, django_capture_on_commit_callbacks
):
    client.force_login(controller)
    with at(2026, 3, 11, 9, 0), django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(reverse("meetings:book_build", args=[filed.pk]))
    job = BookJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == job.get_absolute_url()
    assert len(queued) == 1 and job.status == "queued" and not filed.books.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "data-book-job-pending" in page and "book-job.js" in page
    # a second request while one is queued answers the same job (and nudges its task again)
    with django_capture_on_commit_callbacks(execute=False) as again:
        second = client.post(reverse("meetings:book_build", args=[filed.pk]))
    assert BookJob.objects.count() == 1 and second["Location"] == job.get_absolute_url()
    with at(2026, 3, 11, 9, 1):
        queued[0]()  # the worker (eager in the embedded default)
        again[0]()  # the second delivery finds it claimed and does nothing
    job.refresh_from_db()
    book = filed.books.get()
    assert (job.status, job.step, job.steps, job.book_id) == ("done", 5, 5, book.pk)
    page = client.get(job.get_absolute_url()).content.decode()
    assert book.get_absolute_url() in page and "data-book-job-pending" not in page
    assert services.book_job_run(job_id=job.pk) is False  # a second delivery does nothing
    assert filed.books.count() == 1


def test_the_job_records_its_progress_step_by_step(filed, controller, monkeypatch):
    seen = []
    real = book_module.book_render

    def spy(meeting, *, version, progress=None):
        def tell(step):
            progress(step)
            seen.append(BookJob.objects.get().step)

        return real(meeting, version=version, progress=tell)

    monkeypatch.setattr(book_module, "book_render", spy)
    with at(2026, 3, 11, 9, 0):
        job = services.book_request(meeting=filed, actor=controller)
        assert services.book_job_run(job_id=job.pk) is True
    assert seen == [1, 2, 3, 4]


def test_a_failed_build_is_recorded_and_a_new_request_may_follow(filed, controller, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(book_module, "book_render", broken)
    with at(2026, 3, 11, 9, 0):
        job = services.book_request(meeting=filed, actor=controller)
        with pytest.raises(RuntimeError):
            services.book_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "layout failed" in job.error
    assert services.book_request(meeting=filed, actor=controller).pk != job.pk


def test_lost_jobs_are_swept(filed, controller):
    with at(2026, 3, 11, 9, 0):
        lost = services.book_request(meeting=filed, actor=controller)
    with at(2026, 3, 11, 9, 0, 30):
        assert services.book_jobs_sweep() == []
    with at(2026, 3, 11, 9, 5):
        assert services.book_jobs_sweep() == [lost.pk]
    BookJob.objects.filter(pk=lost.pk).update(status="running")
    with at(2026, 3, 11, 10, 0):
        services.book_jobs_sweep()
    lost.refresh_from_db()
    assert lost.status == "failed"


def test_only_the_controller_requests_a_build_or_sees_its_page(client, filed, controller, chair):
    with pytest.raises(PermissionDenied):
        services.book_request(meeting=filed, actor=chair)
    with at(2026, 3, 11, 9, 0):
        job = services.book_request(meeting=filed, actor=controller)
    client.force_login(chair)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("meetings:book_build", args=[filed.pk])).status_code in (302, 403)
    assert BookJob.objects.count() == 1


def test_the_pdf_is_an_attachment_served_through_file_response(client, filed, controller):
    with at(2026, 3, 11, 9, 0):
        book = services.book_build(meeting=filed, actor=controller)
    client.force_login(controller)
    answer = client.get(reverse("meetings:book_pdf", args=[filed.pk, book.version]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert f"meeting-{filed.pk}-v1.pdf" in answer["Content-Disposition"]
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer["Cache-Control"] == "private, no-store"
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
