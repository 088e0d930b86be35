"""People and meetings of the meeting-tracking tests.

The series 部務會報 is organised by the Department of Planning (DP). ``controller`` holds
``meetings.controller`` there; ``chair`` holds ``meetings.executive``; ``secretary`` is the
meeting's secretary. ``owner`` (IM) files for IM (``meetings.filer`` in IM), ``colleague``
(IM) holds no role, ``outsider`` (BLI) neither. ``meeting`` is open for filing by IM and BLI
until 2026-03-10 17:00 Taipei, the meeting being on 2026-03-12 at 09:30; tests freeze the
clock with ``at(...)``.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from accounts.models import Role, UnitOfficer
from meetings import services
from meetings.models import MeetingSeries
from meetings.roles import CONTROLLER, EXECUTIVE, FILER
from tests.accounts.factories import RoleAssignmentFactory, unit

TAIPEI = ZoneInfo("Asia/Taipei")


def taipei(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TAIPEI)


def at(*args):
    """Freeze the clock at a Taipei time."""
    return freeze_time(taipei(*args))


def grant(user, code, scope=None):
    RoleAssignmentFactory(user=user, role=Role.objects.get(code=code), scope=scope)


@pytest.fixture
def series(db):
    return MeetingSeries.objects.create(
        code="ministry",
        kind="ministry",
        name_zh="部務會報",
        name_en="Ministry affairs meeting",
        unit=unit("DP"),
    )


@pytest.fixture
def controller(make_user):
    user = make_user(username="controller", organization=unit("DP"))
    grant(user, CONTROLLER, unit("DP"))
    return user


@pytest.fixture
def chair(make_user):
    user = make_user(username="chair", organization=unit("DP"))
    grant(user, EXECUTIVE)
    return user


@pytest.fixture
def secretary(make_user):
    return make_user(username="secretary", organization=unit("DP"))


@pytest.fixture
def owner(owner):
    grant(owner, FILER, unit("IM"))
    return owner


@pytest.fixture
def bli_head(make_user):
    user = make_user(username="blihead", organization=unit("BLI"))
    UnitOfficer.objects.create(unit=unit("BLI"), user=user, kind="head")
    return user


@pytest.fixture
def make_meeting(series, controller, chair, secretary):
    def make(
        starts=(2026, 3, 12, 9, 30),
        deadline=(2026, 3, 10, 17, 0),
        units=("IM", "BLI"),
        title="部務會報",
        now=(2026, 3, 1, 9, 0),
        open_filing=True,
    ):
        with at(*now):
            meeting = services.meeting_create(
                series=series,
                actor=controller,
                title=title,
                starts_at=taipei(*starts),
                place="第一會議室",
                chair=chair,
                secretary=secretary,
            )
            if open_filing:
                meeting = services.filing_open(
                    meeting=meeting,
                    actor=controller,
                    deadline=taipei(*deadline),
                    units=[unit(code) for code in units],
                )
        return meeting

    return make


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()
