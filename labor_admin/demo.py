"""Demo data of the labour-administration platform (``manage.py seed_demo``, order 65).

Loads the local units (``data/labor_units.csv``), gives demo staff roles — 林美華 (秘書處)
reads everything as the ministry does and is a case officer and supervisor of 臺北市勞動檢查處,
陳怡明 handles the Taipei authority's cases, 李志偉 those of the WDA's northern branch — and
takes in 240 realistic cases over the last four months across 12 units and every case
type, some moved on, some closed, some overdue, through the services. Idempotent: cases are
only generated when no demo case exists; roles are assigned once.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import User
from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader

from .choices import CaseSource
from .constants import ROLE_CLERK, ROLE_SUPERVISOR, ROLE_VIEWER
from .models import Case, CaseType
from .services import DEFAULT_FILE, case_create, case_transition, labor_units_load
from .services.counters import CaseState, counters_apply

# (demo username, role, unit code or None for everywhere, with sub-units)
DEMO_ROLES = [
    ("lin.meihua", ROLE_VIEWER, None, True),
    ("lin.meihua", ROLE_CLERK, "LA63000-LI", False),
    ("lin.meihua", ROLE_SUPERVISOR, "LA63000-LI", False),
    ("chen.yiming", ROLE_CLERK, "LA63000", True),
    ("chen.yiming", ROLE_SUPERVISOR, "LA63000", True),
    ("lee.zhiwei", ROLE_CLERK, "WDA-TKY", False),
    ("huang.shufen", ROLE_VIEWER, None, True),
]

DEMO_CASES = 240
UNITS = ["LA63000", "LA63000-LI", "LA63000-ES", "LA65000", "LA68000", "LA66000", "LA67000",
         "LA64000", "LA10017", "LA10007", "LA09020", "WDA-TKY"]  # fmt: skip
# Counties served by the WDA's northern branch (its cases carry the employer's county).
BRANCH_COUNTIES = ["63000", "10017", "10002", "10015", "09020", "09007"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = ["志明", "淑芬", "俊傑", "美玲", "家豪", "雅婷", "建宏", "怡君", "冠宇", "佳穎"]
EMPLOYERS = [
    ("大同製造股份有限公司", "10458575", "25"),
    ("信義餐飲有限公司", "88117125", "56"),
    ("港都物流股份有限公司", "53212539", "52"),
    ("北辰營造有限公司", "04595257", "41"),
    ("晨光照護有限公司", "", "87"),
]
SUBJECTS = {
    "MED": ["積欠工資爭議", "資遣費給付爭議", "加班費爭議"],
    "INS": ["勞動條件專案檢查", "職業安全衛生檢查"],
    "CMP": ["未依法給付加班費申訴", "未提撥勞工退休金申訴"],
}
VALUES = {
    "number": lambda rng: rng.randint(1, 40),
    "money": lambda rng: rng.randint(10, 500) * 1000,
    "text": lambda rng: "示範資料",
}


def _data(case_type: CaseType, rng: random.Random, received: dt.date) -> dict:
    data = {}
    for field in case_type.fields.all():
        if field.kind == "choice":
            data[field.code] = rng.choice(field.choice_list())[0]
        elif field.kind == "date":
            data[field.code] = (received + dt.timedelta(days=rng.randint(0, 20))).isoformat()
        elif field.kind == "county":
            data[field.code] = "63000"
        elif field.kind == "industry":
            data[field.code] = "56"
        elif field.kind in VALUES:
            data[field.code] = VALUES[field.kind](rng)
    return data


def _roles(stdout) -> None:
    users = User.objects.in_bulk([r[0] for r in DEMO_ROLES], field_name="username")
    for username, role, unit_code, subunits in DEMO_ROLES:
        user = users.get(username)
        if user is None:
            continue
        unit = Organization.objects.get(code=unit_code) if unit_code else None
        role_assign(
            application=None, user=user, role_code=role, scope=unit, include_subunits=subunits
        )


@demo_loader(order=65)
def load_labor_admin(stdout):
    report = labor_units_load(text=DEFAULT_FILE.read_text("utf-8"))
    if report.errors:
        stdout.write("  labor_admin: units not loaded: " + "; ".join(report.errors))
        return
    _roles(stdout)
    if Case.objects.filter(source=CaseSource.DEMO).exists():
        return
    rng = random.Random(15)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    types = list(CaseType.objects.filter(is_active=True).prefetch_related("fields"))
    units = {u.code: u for u in Organization.objects.filter(code__in=UNITS)}
    handlers = User.objects.in_bulk(["lin.meihua", "chen.yiming"], field_name="username")
    created = 0
    for n in range(DEMO_CASES):
        unit = units[UNITS[n % len(UNITS)]]
        case_type = types[0] if n % 3 == 0 else rng.choice(types)
        received = today - dt.timedelta(days=int(rng.triangular(0, 120, 10)))
        employer, business_id, industry = rng.choice(EMPLOYERS)
        subject = rng.choice(SUBJECTS.get(case_type.code, [case_type.name_zh + "案件"]))
        handler = None
        if unit.code == "LA63000-LI":
            handler = handlers.get("lin.meihua")
        elif unit.code.startswith("LA63000"):
            handler = handlers.get("chen.yiming")
        case = case_create(
            actor=None,
            unit=unit,
            case_type=case_type,
            values={
                "subject": subject,
                "applicant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "employer_name": employer,
                "employer_business_id": business_id,
                "industry": industry,
                "received_on": received,
                "county": "" if unit.county_id else rng.choice(BRANCH_COUNTIES),
                "data": _data(case_type, rng, received),
            },
            handler=handler,
            source=CaseSource.DEMO,
        )
        created += 1
        _move_on(case, rng, today)
    stdout.write(f"  labor_admin: {report.created} units, {created} demo cases")


def _move_on(case: Case, rng: random.Random, today: dt.date) -> None:
    """Advance older cases along their workflow; backdate the closing of closed ones."""
    age = (today - case.received_on).days
    steps = 0 if age < 3 else rng.choice([0, 1, 1, 2, 2, 2])
    for _step in range(steps):
        options = [
            t for t in case.status.transitions_out.select_related("to_status")
            if not t.comment_required
        ]  # fmt: skip
        if not options:
            break
        case = case_transition(case=case, transition=rng.choice(options), actor=None)
        if not case.is_open:
            closed = case.received_on + dt.timedelta(days=rng.randint(1, max(1, min(age, 60))))
            closed = min(closed, today)
            before = CaseState.of(case)
            case.closed_on, case.handling_days = closed, (closed - case.received_on).days
            Case.objects.filter(pk=case.pk).update(
                closed_on=case.closed_on, handling_days=case.handling_days
            )
            counters_apply(before, CaseState.of(case))  # the board's counters follow
            break
