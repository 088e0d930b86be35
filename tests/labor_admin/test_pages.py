"""The pages: intake generated from the type, my cases, overdue, transitions with comments,
edits, attachments, the board (and its htmx fragment), the CSV import, the type preview."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from labor_admin.models import Case, CaseTransition
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

from .factories import VALID_IDS, make_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_intake_form_has_the_types_fields(la_owner):
    response = _login(la_owner).get("/labor-admin/new/MED/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "爭議類別" in page and "涉及勞工人數" in page


def test_intake_through_the_form(la_owner, office):
    response = _login(la_owner).post(
        "/labor-admin/new/MED/",
        {
            "unit": office.pk,
            "received_on": "115/03/16",
            "subject": "加班費爭議",
            "applicant_name": "陳大文",
            "employer_business_id": VALID_IDS[2],
            "industry": "56",
            "data__dispute_kind": "wage",
            "data__workers": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.handler == la_owner
    assert case.data == {"dispute_kind": "wage", "workers": 4}
    assert case.received_on == dt.date(2026, 3, 16)


def test_intake_errors_show_on_the_field(la_owner, office):
    response = _login(la_owner).post(
        "/labor-admin/new/MED/",
        {"unit": office.pk, "received_on": "115/03/16", "subject": "x", "applicant_name": "y",
         "employer_business_id": "88117126", "data__dispute_kind": "wage",
         "data__workers": "4"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_employer_business_id_error"' in page and "88117126" in page
    missing = _login(la_owner).post(
        "/labor-admin/new/MED/",
        {"unit": office.pk, "received_on": "115/03/16", "subject": "x", "applicant_name": "y"},
    )
    assert 'id="id_data__dispute_kind_error"' in missing.content.decode()
    assert Case.objects.count() == 0


def test_intake_for_a_unit_outside_the_choices_is_refused(la_owner, sibling):
    response = _login(la_owner).post(
        "/labor-admin/new/MED/",
        {"unit": sibling.pk, "received_on": "115/03/16", "subject": "x", "applicant_name": "y",
         "data__dispute_kind": "wage", "data__workers": "4"},
    )  # fmt: skip
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_a_reader_cannot_open_the_intake_form(ministry):
    assert _login(ministry).get("/labor-admin/new/MED/").status_code == 403


def test_my_cases_and_overdue(la_owner, la_colleague, office):
    mine = make_case(unit=office, actor=la_owner, subject="甲公司積欠工資", handler=None)
    Case.objects.filter(pk=mine.pk).update(handler=la_owner)
    late = make_case(unit=office, actor=la_owner, subject="乙公司加班費爭議",
                     received_on=dt.date(2026, 1, 5))  # fmt: skip
    c = _login(la_owner)
    page = c.get("/labor-admin/mine/").content.decode()
    assert "甲公司積欠工資" in page and "乙公司加班費爭議" not in page
    overdue = c.get("/labor-admin/overdue/").content.decode()
    assert "乙公司加班費爭議" in overdue and "甲公司積欠工資" not in overdue
    assert "逾期" in overdue
    assert late.due_on < dt.date(2026, 3, 16)


def test_a_transition_with_a_comment_from_the_page(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    withdraw = CaseTransition.objects.get(from_status=case.status, to_status__code="withdrawn")
    c = _login(la_owner)
    missing = c.post(f"/labor-admin/{case.pk}/transitions/{withdraw.pk}/", {})
    assert missing.status_code == 400
    done = c.post(
        f"/labor-admin/{case.pk}/transitions/{withdraw.pk}/",
        {f"t{withdraw.pk}-comment": "申請人撤回"},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status.code == "withdrawn"
    detail = c.get(f"/labor-admin/{case.pk}/").content.decode()
    assert "申請人撤回" in detail


def test_the_colleague_sees_only_the_officers_buttons(la_colleague, la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    scheduled = CaseTransition.objects.get(from_status=case.status, to_status__code="scheduled")
    c = _login(la_colleague)
    assert c.post(f"/labor-admin/{case.pk}/transitions/{scheduled.pk}/", {}).status_code == 302
    page = c.get(f"/labor-admin/{case.pk}/").content.decode()
    assert ">撤回</button>" in page  # an officer's transition
    assert ">調解成立</button>" not in page  # a supervisor's
    assert ">調解成立</button>" in _login(la_owner).get(f"/labor-admin/{case.pk}/").content.decode()


def test_edit_page(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    c = _login(la_owner)
    assert c.get(f"/labor-admin/{case.pk}/edit/").status_code == 200
    response = c.post(
        f"/labor-admin/{case.pk}/edit/",
        {"subject": "新主旨", "applicant_name": "王小明", "received_on": "115/03/02",
         "data__dispute_kind": "pension", "data__workers": "3", "amount": "5000"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.subject == "新主旨" and case.data["dispute_kind"] == "pension"
    assert case.amount == 5000


def test_attachment_upload_and_authorised_download(la_owner, la_outsider, office):
    case = make_case(unit=office, actor=la_owner)
    c = _login(la_owner)
    upload = SimpleUploadedFile("調解紀錄.pdf", PDF, content_type="application/pdf")
    assert c.post(f"/labor-admin/{case.pk}/attachments/", {"file": upload}).status_code == 302
    attachment = case.attachments.get()
    assert b"".join(c.get(attachment.get_absolute_url()).streaming_content) == PDF
    assert _login(la_outsider).get(attachment.get_absolute_url()).status_code == 404


def test_a_program_renamed_pdf_is_refused(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    upload = SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = _login(la_owner).post(f"/labor-admin/{case.pk}/attachments/", {"file": upload})
    assert response.status_code == 400
    assert case.attachments.count() == 0


def test_board_page_and_fragment(la_owner, office, ministry):
    make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 3, 16))
    c = _login(ministry)
    page = c.get("/labor-admin/board/").content.decode()
    assert 'hx-get="/labor-admin/board/figures/"' in page
    fragment = c.get("/labor-admin/board/figures/")
    assert fragment["Cache-Control"] == "no-store"
    assert 'data-figure="received_today">1<' in fragment.content.decode()


def test_board_in_english(ministry):
    page = english(_login(ministry)).get("/labor-admin/board/").content.decode()
    assert "National labour case board" in page


CSV_OK = (
    "case_type,received_on,subject,applicant_name,employer_business_id,dispute_kind,workers\n"
    "MED,115/03/10,工資爭議,王一,10458575,wage,2\n"
    "MED,2026-03-11,資遣爭議,王二,,severance,1\n"
)
CSV_BAD = (
    "case_type,received_on,subject,applicant_name,employer_business_id,dispute_kind,workers\n"
    "MED,115/03/10,工資爭議,王一,10458575,wage,2\n"
    "MED,2026-03-11,,王二,88117126,bonus,1\n"
    "XXX,2026-03-11,x,y,,,\n"
)


def test_csv_import(la_owner, office):
    upload = SimpleUploadedFile("cases.csv", CSV_OK.encode("utf-8-sig"))
    response = _login(la_owner).post("/labor-admin/import/", {"unit": office.pk, "file": upload})
    assert response.status_code == 302
    assert Case.objects.filter(unit=office, source="import").count() == 2


def test_csv_import_is_all_or_nothing_with_a_report(la_owner, office):
    upload = SimpleUploadedFile("cases.csv", CSV_BAD.encode("utf-8"))
    response = _login(la_owner).post("/labor-admin/import/", {"unit": office.pk, "file": upload})
    assert response.status_code == 400
    report = response.context["report"]
    problems = {(p.line, p.field) for p in report.problems}
    assert (3, "subject") in problems
    assert (3, "employer_business_id") in problems
    assert (3, "data.dispute_kind") in problems
    assert (4, "case_type") in problems
    assert Case.objects.count() == 0


def test_type_preview_for_the_admin(staff_user):
    c = Client()
    force_login_verified(c, staff_user)
    response = c.get("/labor-admin/types/INS/preview/")
    assert response.status_code == 200
    assert "檢查類別" in response.content.decode()


def test_the_list_page_query_count_does_not_grow_with_cases(
    la_owner, office, django_assert_max_num_queries
):
    for n in range(12):
        make_case(unit=office, actor=la_owner, subject=f"案件{n}")
    c = _login(la_owner)
    c.get("/labor-admin/")
    with django_assert_max_num_queries(20):
        response = c.get("/labor-admin/")
    assert len(response.context["page"].object_list) == 12
