"""Opening balances from CSV: validation report, all or nothing, seniority."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from portal.models import LeaveBalance

pytestmark = pytest.mark.django_db

HEADER = "employee_number,leave_type,year,days,carried_days\n"


def write(tmp_path, text: str):
    path = tmp_path / "balances.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_a_good_file_creates_the_balances(types, owner, colleague, tmp_path, capsys):
    path = write(
        tmp_path,
        f"{owner.employee_number},annual,2026,seniority:6,3\n"
        f"{colleague.employee_number},compensatory,2026,1.5,0\n",
    )
    call_command("leave_import_balances", str(path))
    annual = LeaveBalance.objects.get(user=owner, leave_type=types["annual"], year=2026)
    assert annual.granted_hours == Decimal(21 * 8)
    assert annual.carried_hours == Decimal(24)
    compensatory = LeaveBalance.objects.get(user=colleague, year=2026)
    assert compensatory.granted_hours == Decimal(12)
    assert "2 balance(s) created" in capsys.readouterr().out


def test_one_bad_row_imports_nothing_and_names_every_error(types, owner, tmp_path, capsys):
    path = write(
        tmp_path,
        f"{owner.employee_number},annual,2026,7,0\n"
        "NOBODY,annual,2026,7,0\n"
        f"{owner.employee_number},nosuch,2026,7,0\n"
        f"{owner.employee_number},personal,20x6,7,0\n"
        f"{owner.employee_number},sick,2026,1.3,0\n",
    )
    with translation.override("en"), pytest.raises(CommandError):
        call_command("leave_import_balances", str(path))
    errors = capsys.readouterr().err
    for line in ("Line 3", "Line 4", "Line 5", "Line 6"):
        assert line in errors
    assert "Line 2" not in errors
    assert not LeaveBalance.objects.exists()


def test_a_file_without_the_columns_is_refused(types, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("leave_import_balances", str(path))
    assert not LeaveBalance.objects.exists()
