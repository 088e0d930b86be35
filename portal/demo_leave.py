"""Leave types, approval routes and demo leave (``manage.py seed_demo``).

``leave_setup()`` (also used by the tests) creates the leave types of the 公務人員請假規則 as
data and the two routes of purpose ``portal.leave``: under 3 days the unit head; from 3 days
the unit head, then the head of the unit above. The demo adds two members of 資訊處 (IM),
makes 王建國 its head (and the system administrator head of 部本部 when vacant), gives every
demo user this year's balances, and leaves a few requests in each state. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts import authz
from accounts.choices import UnitOfficerKind, UnitOfficerSource
from accounts.demo import DEMO_PASSWORD
from accounts.models import UnitOfficer, User
from core.models import Organization
from core.registry import demo_loader
from documents.choices import StepStatus
from documents.models import ChainTemplate, ChainTemplateStep
from documents.selectors import open_chain_for
from documents.services import signoff_approve

from .choices import LeaveUnit
from .constants import LEAVE_DAY_HOURS
from .models import LeaveBalance, LeaveRequest, LeaveType
from .services import leave as leave_services

SENIORITY = [[1, 7], [3, 14], [6, 21], [9, 28], [14, 30]]
# code, name_zh, name_en, unit, days a year, by seniority, carry-over days, may go negative,
# needs a document
LEAVE_TYPES = [
    ("annual", "休假(特休)", "Annual leave", LeaveUnit.HOUR, 0, True, 7, False, False),
    ("personal", "事假", "Personal leave", LeaveUnit.HOUR, 7, False, 0, False, False),
    ("family", "家庭照顧假", "Family care leave", LeaveUnit.HOUR, 7, False, 0, False, False),
    ("sick", "病假", "Sick leave", LeaveUnit.HOUR, 28, False, 0, False, False),
    ("official", "公假", "Official leave", LeaveUnit.HALF_DAY, 0, False, 0, True, False),
    ("compensatory", "補休", "Compensatory time off", LeaveUnit.HOUR, 0, False, 0, False, False),
    ("marriage", "婚假", "Marriage leave", LeaveUnit.DAY, 14, False, 0, False, True),
    ("bereavement", "喪假", "Bereavement leave", LeaveUnit.DAY, 15, False, 0, False, True),
    ("maternity", "娩假", "Maternity leave", LeaveUnit.DAY, 42, False, 0, False, True),
]
# 公務人員請假規則: sick leave of 2 working days or more in a row needs a doctor's certificate.
DOCUMENT_AFTER_DAYS = {"sick": 2}
ROUTES = [
    ("leave-short", "差假(未滿3日)", "Leave under 3 days", None, Decimal("3"), 1),
    ("leave-long", "差假(3日以上)", "Leave of 3 days or more", Decimal("3"), None, 2),
]
EXTRA_PEOPLE = [
    ("tsai.yating", "M1005", "蔡雅婷", "Tsai Ya-ting", "科員"),
    ("liu.chengyou", "M1006", "劉承佑", "Liu Cheng-you", "管理師"),
]


def leave_setup() -> None:
    for order, row in enumerate(LEAVE_TYPES, start=1):
        code, name_zh, name_en, unit, days, seniority, carry, negative, document = row
        LeaveType.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "unit": unit,
                "annual_days": Decimal(days),
                "by_seniority": seniority,
                "seniority_days": SENIORITY if seniority else [],
                "carry_over_days": Decimal(carry),
                "allow_negative": negative,
                "needs_document": document,
                "document_after_days": DOCUMENT_AFTER_DAYS.get(code),
                "sort_order": order * 10,
            },
        )
    for code, name_zh, name_en, low, high, levels in ROUTES:
        template, created = ChainTemplate.objects.get_or_create(
            code=code,
            defaults={
                "purpose": "portal.leave",
                "name_zh": name_zh,
                "name_en": name_en,
                "min_amount": low,
                "max_amount": high,
                "deadline_working_days": 2,
            },
        )
        if created:
            for level in range(levels):
                ChainTemplateStep.objects.create(
                    template=template, order=level + 1, kind="unit_head", levels_up=level
                )


def _head(unit: Organization, user: User) -> None:
    if authz.unit_head(unit) is None:
        UnitOfficer.objects.get_or_create(
            unit=unit,
            kind=UnitOfficerKind.HEAD,
            defaults={"user": user, "source": UnitOfficerSource.MANUAL},
        )


def _at(day: dt.date, hour: int, minute: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _next_workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@demo_loader(order=76)
def load_leave(stdout):
    leave_setup()
    im = Organization.objects.get(code="IM")
    for username, number, name_zh, name_en, title in EXTRA_PEOPLE:
        if not User.objects.filter(username=username).exists():
            user = User(
                username=username,
                employee_number=number,
                name_zh=name_zh,
                name_en=name_en,
                email=f"{username}@demo.mol.gov.tw",
                organization=im,
                job_title=title,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    if "wang.jianguo" not in users or "admin" not in users:
        stdout.write("  portal leave: demo users missing, skipped")
        return
    _head(im, users["wang.jianguo"])
    _head(im.parent, users["admin"])
    year = timezone.localdate().year
    types = {t.code: t for t in LeaveType.objects.all()}
    for user in users.values():
        if user.organization_id is None:
            continue
        for code, days in (("annual", 14), ("compensatory", 2)):
            LeaveBalance.objects.get_or_create(
                user=user,
                leave_type=types[code],
                year=year,
                defaults={"granted_hours": Decimal(days * LEAVE_DAY_HOURS)},
            )
    if LeaveRequest.objects.exists():
        stdout.write("  portal leave: demo requests already loaded")
        return
    tsai, liu, wang = users["tsai.yating"], users["liu.chengyou"], users["wang.jianguo"]
    base = _next_workday(timezone.localdate() + dt.timedelta(days=3))
    later = _next_workday(base + dt.timedelta(days=7))

    def ask(who, deputy, code, start, end, reason):
        return leave_services.leave_request_create(
            actor=who,
            leave_type=types[code],
            start=start,
            end=end,
            reason=reason,
            deputy=deputy,
        )

    # Waiting for the deputy; waiting for the head; approved; cancelled; declined.
    ask(tsai, liu, "annual", _at(base, 8), _at(base, 12), "家中事務")
    pending = ask(liu, tsai, "personal", _at(base, 13), _at(base, 17), "辦理證件")
    leave_services.leave_deputy_answer(request=pending, actor=tsai, accept=True)
    approved = ask(tsai, liu, "annual", _at(later, 8), _at(later, 17), "出國旅遊")
    leave_services.leave_deputy_answer(request=approved, actor=liu, accept=True)
    chain = open_chain_for(approved)
    step = chain.steps.filter(status=StepStatus.PENDING).first() if chain else None
    if step is not None:
        signoff_approve(step=step, actor=wang, comment="准")
    after = _next_workday(later + dt.timedelta(days=1))  # tsai is away on ``later``
    cancelled = ask(liu, tsai, "compensatory", _at(after, 13), _at(after, 15), "補休")
    leave_services.leave_cancel(request=cancelled, actor=liu)
    declined = ask(liu, tsai, "annual", _at(after, 8), _at(after, 12), "看診")
    leave_services.leave_deputy_answer(request=declined, actor=tsai, accept=False)
    stdout.write(
        f"  portal leave: {len(types)} leave types, {LeaveRequest.objects.count()} requests"
    )
