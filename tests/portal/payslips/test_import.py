"""The payroll import: a good file makes one slip per person and month with its lines; any
bad row refuses the whole file (nothing saved) with a report naming row and field; only
payroll officers import; the command and the upload page do the same."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from portal.models import PayrollImport, Payslip, PayslipLine
from portal.services import payslips as services

from .conftest import HEADER, slip_rows

pytestmark = pytest.mark.django_db


def _import(actor, text: str):
    return services.payroll_import(actor=actor, data=text.encode(), filename="pay.csv")


def _refused(actor, text: str) -> list[tuple[int, str]]:
    with pytest.raises(services.PayrollFileInvalid) as caught:
        _import(actor, text)
    assert not Payslip.objects.exists()
    assert not PayslipLine.objects.exists()
    assert not PayrollImport.objects.exists()
    return [(e.row, e.field) for e in caught.value.errors]


def test_a_good_file_makes_one_slip_per_person_and_month(officer, owner, colleague):
    text = (
        HEADER
        + slip_rows(owner.employee_number)
        + slip_rows(owner.employee_number, month="2026-01")
        + slip_rows(colleague.employee_number, base=50000)
    )
    result = _import(officer, text)
    assert (result.slips, result.replaced, result.batch.rows) == (3, 0, 15)
    feb = Payslip.objects.get(person=owner, month="2026-02-01")
    assert (feb.earnings, feb.deductions, feb.net) == (45000, 1800, 43200)
    assert [(x.kind, x.item, x.amount) for x in feb.lines.order_by("position")] == [
        ("earning", "本俸", 40000),
        ("earning", "專業加給", 5000),
        ("deduction", "公保費", 1100),
        ("deduction", "健保費", 700),
    ]
    assert Payslip.objects.get(person=colleague).net == 53200
    assert result.batch.uploaded_by == officer


def test_a_month_imported_again_is_replaced(officer, owner):
    _import(officer, HEADER + slip_rows(owner.employee_number))
    result = _import(officer, HEADER + slip_rows(owner.employee_number, base=41000))
    assert result.replaced == 1
    assert Payslip.objects.get(person=owner).net == 44200
    assert PayslipLine.objects.count() == 4


def test_one_bad_row_refuses_the_whole_file_and_names_row_and_field(officer, owner, colleague):
    text = (
        HEADER
        + slip_rows(owner.employee_number)
        + f"{colleague.employee_number},2026-13,earning,本俸,100\n"  # row 7
        + "NOBODY,2026-02,earning,本俸,100\n"  # row 8
        + f"{colleague.employee_number},2026-02,bonus,本俸,100\n"  # row 9
        + f"{colleague.employee_number},2026-02,earning,本俸,12.5\n"  # row 10
        + f"{colleague.employee_number},2026-02,deduction,,100\n"  # row 11
        + f"{colleague.employee_number},2026-02,deduction,罰款,-5\n"  # row 12
        + f"{colleague.employee_number},2026-02,earning\n"  # row 13
    )
    assert _refused(officer, text) == [
        (7, "month"),
        (8, "employee_number"),
        (9, "type"),
        (10, "amount"),
        (11, "item"),
        (12, "amount"),
        (13, "row"),
    ]


def test_net_must_equal_earnings_minus_deductions(officer, owner):
    text = HEADER + slip_rows(owner.employee_number).replace(",43200", ",43000")
    with pytest.raises(services.PayrollFileInvalid) as caught:
        _import(officer, text)
    [error] = caught.value.errors
    assert (error.row, error.field) == (6, "amount")
    assert "43200" in error.message
    assert not Payslip.objects.exists()


def test_a_slip_without_net_or_with_two_nets_is_refused(officer, owner, colleague):
    no_net = "\n".join(slip_rows(owner.employee_number).splitlines()[:-1]) + "\n"
    two = slip_rows(colleague.employee_number) + f"{colleague.employee_number},2026-02,net,,43200\n"
    assert _refused(officer, HEADER + no_net + two) == [(2, "type"), (11, "type")]


def test_an_item_twice_on_a_slip_is_refused(officer, owner):
    text = HEADER + slip_rows(
        owner.employee_number, extra=f"{owner.employee_number},2026-02,earning,本俸,1\n"
    )
    assert _refused(officer, text) == [(7, "item")]


def test_the_header_must_be_the_five_columns(officer, owner):
    text = "員工編號,月份,類別,項目,金額\n" + slip_rows(owner.employee_number)
    assert _refused(officer, text) == [(1, "header")]


def test_a_file_not_in_utf8_is_refused(officer, owner):
    data = (HEADER + slip_rows(owner.employee_number)).encode("big5")
    with pytest.raises(services.PayrollFileInvalid) as caught:
        services.payroll_import(actor=officer, data=data, filename="big5.csv")
    assert [e.field for e in caught.value.errors] == ["file"]


def test_a_file_with_a_bom_and_bidi_controls_is_read_clean(officer, owner):
    text = "\ufeff" + HEADER + slip_rows(owner.employee_number).replace("本俸", "本\u202e俸")
    _import(officer, text)
    assert PayslipLine.objects.filter(item="本俸").exists()


def test_a_huge_file_is_refused_before_it_is_read(officer):
    with pytest.raises(services.PayrollFileInvalid) as caught:
        services.payroll_import(
            actor=officer, data=b"x" * (services.MAX_FILE_BYTES + 1), filename="big.csv"
        )
    assert caught.value.errors[0].field == "file"


def test_only_a_payroll_officer_may_import(owner):
    with pytest.raises(PermissionDenied):
        _import(owner, HEADER + slip_rows(owner.employee_number))
    assert not Payslip.objects.exists()


def test_the_command_imports_a_file(tmp_path, officer, owner):
    path = tmp_path / "pay.csv"
    path.write_text(HEADER + slip_rows(owner.employee_number), encoding="utf-8")
    out = io.StringIO()
    call_command("payroll_import", str(path), "--as", officer.username, stdout=out)
    assert "Imported 1 payslips" in out.getvalue()
    assert Payslip.objects.get().person == owner


def test_the_command_prints_the_report_and_saves_nothing(tmp_path, officer, owner):
    path = tmp_path / "pay.csv"
    path.write_text(HEADER + "NOBODY,2026-02,earning,本俸,1\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("payroll_import", str(path), "--as", officer.username, stderr=err)
    assert "row 2, employee_number" in err.getvalue()
    assert not Payslip.objects.exists()


def test_the_upload_page_imports_and_shows_the_report_of_a_refused_file(client, officer, owner):
    client.force_login(officer)
    url = reverse("portal:payroll_import")
    assert client.get(url).status_code == 200
    bad = io.BytesIO((HEADER + "NOBODY,2026-02,earning,<script>x</script>,1\n").encode())
    bad.name = "bad.csv"
    answer = client.post(url, {"file": bad})
    assert answer.status_code == 400
    assert [(e.row, e.field) for e in answer.context["report"].errors][:1] == [
        (2, "employee_number")
    ]
    assert "<script>x" not in answer.content.decode()
    assert not Payslip.objects.exists()
    good = io.BytesIO((HEADER + slip_rows(owner.employee_number)).encode())
    good.name = "good.csv"
    answer = client.post(url, {"file": good})
    assert answer.status_code == 302
    assert Payslip.objects.get().person == owner
    assert "good.csv" in client.get(url).content.decode()


def test_the_upload_page_is_refused_to_people_without_the_role(client, owner):
    client.force_login(owner)
    assert client.get(reverse("portal:payroll_import")).status_code == 403
