"""The demo payslips: three months for the six demo users, loaded once, net adding up."""

from io import StringIO

import pytest

from accounts import authz
from accounts.demo import load_users
from accounts.models import User
from portal.demo_payslips import load_payslips
from portal.models import Payslip
from portal.roles import PAYROLL_OFFICER

pytestmark = pytest.mark.django_db


def test_demo_payslips_load_once():
    out = StringIO()
    load_users(out)
    load_payslips(out)
    load_payslips(out)
    assert Payslip.objects.count() == 18
    assert "already loaded" in out.getvalue()
    assert authz.has_role(User.objects.get(username="lin.meihua"), PAYROLL_OFFICER, fresh=True)
    for slip in Payslip.objects.prefetch_related("lines"):
        earnings = sum(x.amount for x in slip.lines.all() if x.kind == "earning")
        deductions = sum(x.amount for x in slip.lines.all() if x.kind == "deduction")
        assert slip.net == earnings - deductions
