"""People, types and routes of the leave tests.

The clock is frozen at Monday 2026-12-28 09:00 Asia/Taipei (``leave_clock``). ``owner`` and
``colleague`` are of IM (資訊處); ``head`` heads IM, ``director`` heads 部本部 (its parent);
``outsider`` is of BLI. The types and the two routes of ``portal.demo_leave.leave_setup``
are loaded: under 3 days the unit head, from 3 days the head and then the director.
2027-01-01 is a holiday and Saturday 2027-01-02 a make-up working day (補班日).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from accounts.models import UnitOfficer
from core.models import WorkCalendarDay
from documents.choices import StepStatus
from documents.models import SignOffStep
from portal.demo_leave import leave_setup
from portal.models import LeaveBalance, LeaveType
from tests.accounts.factories import unit

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 12, 28, 9, 0, tzinfo=TAIPEI)


def taipei(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TAIPEI)


@pytest.fixture
def leave_clock():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def calendar(db):
    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="開國紀念日")
    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 2), is_workday=True, name="補班")


@pytest.fixture
def types(db, calendar):
    leave_setup()
    return {t.code: t for t in LeaveType.objects.all()}


@pytest.fixture
def head(make_user):
    user = make_user(username="head")
    UnitOfficer.objects.create(unit=unit("IM"), user=user, kind="head")
    return user


@pytest.fixture
def director(make_user):
    user = make_user(username="director", organization=unit("IM").parent)
    UnitOfficer.objects.create(unit=unit("IM").parent, user=user, kind="head")
    return user


@pytest.fixture
def give():
    def make(user, leave_type, days, year=2026, carried=0):
        return LeaveBalance.objects.create(
            user=user,
            leave_type=leave_type,
            year=year,
            granted_hours=Decimal(days) * 8,
            carried_hours=Decimal(carried) * 8,
            allow_negative=leave_type.allow_negative,
        )

    return make


def pending_step(request, user):
    return SignOffStep.objects.get(
        chain__target_object_id=str(request.pk), assignee=user, status=StepStatus.PENDING
    )
