"""People and files of the payslip tests: ``officer`` holds ``portal.payroll_officer`` (SEC);
``owner``/``colleague`` (IM) and ``outsider`` (BLI) come from the shared fixtures. Time is
frozen at 2026-03-02 (Taipei) where dates show."""

import pytest
from freezegun import freeze_time

from portal.roles import PAYROLL_OFFICER
from portal.services import payslips as services
from tests.accounts.factories import RoleAssignmentFactory, unit

HEADER = "employee_number,month,type,item,amount\n"


def slip_rows(number: str, month: str = "2026-02", base: int = 40000, extra: str = "") -> str:
    """Rows of one good slip: earnings 40000 + 5000, deductions 1100 + 700, net 43200."""
    return (
        f"{number},{month},earning,本俸,{base}\n"
        f"{number},{month},earning,專業加給,5000\n"
        f"{number},{month},deduction,公保費,1100\n"
        f"{number},{month},deduction,健保費,700\n"
        f"{number},{month},net,實發金額,{base + 5000 - 1800}\n" + extra
    )


@pytest.fixture(autouse=True)
def clock():
    with freeze_time("2026-03-02 01:00:00") as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_user):
    user = make_user(username="payroll", organization=unit("SEC"))
    RoleAssignmentFactory(user=user, role__code=PAYROLL_OFFICER, scope=unit("SEC"))
    return user


@pytest.fixture
def imported(officer, owner, colleague):
    """Feb 2026 slips of the owner and the colleague: ``{"owner": slip, "colleague": slip}``."""
    data = (
        HEADER + slip_rows(owner.employee_number) + slip_rows(colleague.employee_number, base=50000)
    )
    services.payroll_import(actor=officer, data=data.encode(), filename="2026-02.csv")
    return {
        "owner": owner.payslips.get(),
        "colleague": colleague.payslips.get(),
    }
