"""Demo payslips (``manage.py seed_demo``): 林美華 (lin.meihua, 秘書處) holds
``portal.payroll_officer`` and imports the last three months' payroll file for the six demo
users through the same service as the upload page. Idempotent: only while there are none."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader

from .models import Payslip
from .roles import PAYROLL_OFFICER
from .services import payslips as services

# base salary by demo user; the other items follow the 公務人員 payroll's usual lines
BASE = {"A0001": 53_075, "M1001": 38_015, "M1002": 42_470, "M1003": 48_980, "M1004": 40_040}
BASE_DEFAULT = 44_615


def _months(count: int) -> list[dt.date]:
    first = timezone.localdate().replace(day=1)
    months = []
    for _n in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def demo_csv(numbers: list[str], months: list[dt.date]) -> str:
    """A payroll file for ``numbers`` over ``months`` (net adds up)."""
    rows = ["employee_number,month,type,item,amount"]
    for month in months:
        for number in numbers:
            base = BASE.get(number, BASE_DEFAULT)
            earnings = [("本俸", base), ("專業加給", 25_930), ("主管職務加給", 0)]
            if number == "M1003":
                earnings[2] = ("主管職務加給", 5_690)
            earnings = [e for e in earnings if e[1]]
            if month.month == 2:
                earnings.append(("年終工作獎金", base * 3 // 2))
            deductions = [
                ("公保費", round(base * 2 * 0.0583 * 0.35)),
                ("健保費", 1_367),
                ("退撫基金費", round(base * 2 * 0.15 * 0.35)),
                ("福利互助金", 150),
            ]
            total = sum(a for _i, a in earnings) - sum(a for _i, a in deductions)
            month_text = f"{month:%Y-%m}"
            rows += [f"{number},{month_text},earning,{i},{a}" for i, a in earnings]
            rows += [f"{number},{month_text},deduction,{i},{a}" for i, a in deductions]
            rows.append(f"{number},{month_text},net,實發金額,{total}")
    return "\n".join(rows) + "\n"


@demo_loader(order=61)
def load_payslips(stdout):
    User = get_user_model()
    officer = User.objects.filter(username="lin.meihua").first()
    if officer is None:
        stdout.write("  payslips: demo users missing, skipped")
        return
    role_assign(
        application=None,
        user=officer,
        role_code=PAYROLL_OFFICER,
        scope=Organization.objects.filter(code="SEC").first(),
    )
    if Payslip.objects.exists():
        stdout.write("  payslips: demo payslips already loaded")
        return
    numbers = list(
        User.objects.filter(employee_number__in=[u[1] for u in DEMO_USERS], is_active=True)
        .order_by("employee_number")
        .values_list("employee_number", flat=True)
    )
    data = demo_csv(numbers, _months(3)).encode()
    result = services.payroll_import(actor=officer, data=data, filename="demo-payroll.csv")
    stdout.write(f"  payslips: {result.slips} payslips")
