"""Reading payslips: the person's own list, detail, PDF and API; another person's slip is a
404 from every entry point and the attempt is audited; every reading is audited; the admin is
read-only and audits too."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from core.choices import AuditAction
from core.models import AuditLogEntry
from portal.models import Payslip
from portal.services import payslips as services
from tests.accounts.mfa_support import force_login_verified

from .conftest import HEADER, slip_rows

pytestmark = pytest.mark.django_db


def _refusals(slip):
    return AuditLogEntry.objects.for_object(slip).filter(action=AuditAction.OTHER)


def test_my_payslips_lists_only_my_own(client, imported, owner, django_assert_max_num_queries):
    client.force_login(owner)
    client.get(reverse("portal:payslips"))
    with django_assert_max_num_queries(15):
        answer = client.get(reverse("portal:payslips"))
    assert answer.status_code == 200
    assert [p.pk for p in answer.context["payslips"]] == [imported["owner"].pk]
    page = answer.content.decode().replace(",", "")
    assert "43200" in page
    assert "53200" not in page


def test_the_list_query_count_does_not_grow_with_months(
    client, officer, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    counts = []
    for months in (["2026-01"], ["2025-09", "2025-10", "2025-11", "2025-12"]):
        text = HEADER + "".join(slip_rows(owner.employee_number, month=m) for m in months)
        services.payroll_import(actor=officer, data=text.encode(), filename="x.csv")
        with django_assert_max_num_queries(15) as captured:
            client.get(reverse("portal:payslips"))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_detail_shows_the_lines_and_is_audited(client, imported, owner):
    slip = imported["owner"]
    client.force_login(owner)
    answer = client.get(reverse("portal:payslip", args=[slip.pk]))
    assert answer.status_code == 200
    assert "專業加給" in answer.content.decode()
    entry = AuditLogEntry.objects.for_object(slip).get(action=AuditAction.VIEW)
    assert entry.actor == owner


@pytest.mark.parametrize("name", ["payslip", "payslip_pdf"])
def test_a_colleagues_slip_is_a_404_and_the_attempt_is_audited(client, imported, owner, name):
    theirs = imported["colleague"]
    client.force_login(owner)
    assert client.get(reverse(f"portal:{name}", args=[theirs.pk])).status_code == 404
    entry = _refusals(theirs).get()
    assert entry.actor == owner
    assert "refused" in entry.message


def test_an_outsider_cannot_mail_someone_elses_slip(client, imported, outsider):
    theirs = imported["owner"]
    client.force_login(outsider)
    answer = client.post(
        reverse("portal:payslip_email", args=[theirs.pk]),
        {"password": "secret-123", "confirm": "secret-123"},
    )
    assert answer.status_code == 404
    assert _refusals(theirs).get().actor == outsider


def test_the_payroll_officer_cannot_read_a_slip_either(client, imported, officer):
    client.force_login(officer)
    slip = imported["owner"]
    assert client.get(reverse("portal:payslip", args=[slip.pk])).status_code == 404
    assert _refusals(slip).count() == 1


def test_a_slip_that_does_not_exist_is_a_404_and_audited(client, owner):
    client.force_login(owner)
    assert client.get(reverse("portal:payslip", args=[999999])).status_code == 404
    assert AuditLogEntry.objects.filter(
        action=AuditAction.OTHER, message__contains="999999"
    ).exists()


def test_anonymous_is_sent_to_log_in(client, imported):
    answer = client.get(reverse("portal:payslip", args=[imported["owner"].pk]))
    assert answer.status_code == 302


def test_the_pdf_embeds_noto_sans_cjk_and_gives_the_roc_month(client, imported, owner):
    slip = imported["owner"]
    client.force_login(owner)
    answer = client.get(reverse("portal:payslip_pdf", args=[slip.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "no-store" in answer["Cache-Control"]
    reader = PdfReader(io.BytesIO(answer.content))
    text = reader.pages[0].extract_text().replace(",", "")
    assert "115" in text and "43200" in text and "本俸" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-CJK-TC" in name for name in fonts)
    assert AuditLogEntry.objects.for_object(slip).filter(message="payslips: pdf").exists()


def test_the_api_lists_only_the_callers_slips_with_lines(
    imported, owner, outsider, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(owner)
    with django_assert_max_num_queries(10):
        answer = api.get("/api/v1/portal/payslips/")
    assert answer.status_code == 200
    body = answer.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["id"] for r in rows] == [imported["owner"].pk]
    assert rows[0]["month"] == "2026-02"
    assert rows[0]["net"] == 43200
    assert {"kind": "earning", "item": "本俸", "amount": 40000} in rows[0]["lines"]
    assert AuditLogEntry.objects.for_object(owner).filter(message="payslips: list (api)").exists()
    api.force_authenticate(outsider)
    body = api.get("/api/v1/portal/payslips/").json()
    assert (body["results"] if isinstance(body, dict) else body) == []


def test_the_api_refuses_anonymous_callers(imported):
    answer = APIClient().get("/api/v1/portal/payslips/")
    assert answer.status_code == 401
    assert "error" in answer.json()


def test_the_admin_shows_slips_read_only_and_audits_opening_one(client, make_user, imported):
    root = make_user(username="root", is_staff=True, is_superuser=True)
    force_login_verified(client, root)
    slip = imported["owner"]
    assert client.get(reverse("admin:portal_payslip_changelist")).status_code == 200
    answer = client.get(reverse("admin:portal_payslip_change", args=[slip.pk]))
    assert answer.status_code == 200
    assert b'name="lines-0-amount"' not in answer.content
    assert client.get(reverse("admin:portal_payslip_add")).status_code == 403
    for model in ("payslipline", "payrollimport"):
        assert client.get(reverse(f"admin:portal_{model}_changelist")).status_code == 200
    assert AuditLogEntry.objects.for_object(slip).filter(actor=root, action="view").exists()
    client.post(reverse("admin:portal_payslip_change", args=[slip.pk]), {"net": 1})
    assert Payslip.objects.get(pk=slip.pk).net == 43200
