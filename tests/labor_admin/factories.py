"""Units, people and cases for the labour-administration tests.

``load_units()`` loads the shipped CSV (22 county authorities, their offices, the ministry's
branches). ``grant(user, role, unit, subunits=False)`` gives a role of this app.
``make_case(unit=, actor=, type_code=, **values)`` takes in a case through the service."""

from __future__ import annotations

import datetime as dt

from accounts import authz
from accounts.models import Role, RoleAssignment
from core.models import Organization
from labor_admin.models import CaseType
from labor_admin.services import DEFAULT_FILE, case_create, labor_units_load

VALID_IDS = ("10458575", "88117125", "53212539")

DEFAULT_DATA = {
    "MED": {"dispute_kind": "wage", "workers": 3},
    "CMP": {"complaint_kind": "wage", "anonymous": "no"},
    "EMP": {},
    "VOL": {"volunteers": 5},
}


def load_units() -> None:
    report = labor_units_load(text=DEFAULT_FILE.read_text("utf-8"))
    assert not report.errors, report.errors


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def grant(user, role: str, unit=None, *, subunits: bool = False) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(
        user=user,
        role=Role.objects.get(code=role, application__isnull=True),
        scope=unit,
        include_subunits=subunits,
    )
    authz.forget(user)
    return assignment


def make_case(*, unit, actor=None, type_code="MED", received_on=None, data=None, **values):
    base = {
        "subject": "工資爭議",
        "applicant_name": "王小明",
        "employer_name": "測試股份有限公司",
        "employer_business_id": VALID_IDS[0],
        "industry": "25",
        "received_on": received_on or dt.date(2026, 3, 2),
    }
    base.update(values)
    base["data"] = DEFAULT_DATA.get(type_code, {}) if data is None else data
    return case_create(
        actor=actor,
        unit=unit,
        case_type=CaseType.objects.get(code=type_code),
        values=base,
    )
