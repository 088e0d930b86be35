"""Rooms and people of the room-booking tests.

The clock is frozen at Monday 2026-03-02 09:00 Asia/Taipei (``clock``). ``room`` (901, HQ,
12 seats, projector and video) may be booked 30 days ahead for at most 4 hours; ``restricted``
(the auditorium) waits for its approver ``manager``, who holds ``portal.room_manager`` in the
Secretariat (SEC), the unit managing both rooms. ``owner`` and ``colleague`` are of IM,
``outsider`` of BLI (the shared fixtures).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from portal.models import Building, Equipment, Room
from portal.roles import ROOM_MANAGER
from tests.accounts.factories import RoleAssignmentFactory, unit

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TAIPEI)


def taipei(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TAIPEI)


@pytest.fixture
def clock():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def building(db):
    return Building.objects.create(code="hq", name_zh="本部大樓", name_en="Headquarters")


@pytest.fixture
def projector(db):
    return Equipment.objects.create(code="projector", name_zh="投影機", name_en="Projector")


@pytest.fixture
def video(db):
    return Equipment.objects.create(code="video", name_zh="視訊設備", name_en="Video")


@pytest.fixture
def manager(make_user):
    user = make_user(username="manager", organization=unit("SEC"))
    RoleAssignmentFactory(user=user, role__code=ROOM_MANAGER, scope=unit("SEC"))
    return user


@pytest.fixture
def make_room(building):
    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        n = counter["n"]
        equipment = kwargs.pop("equipment", [])
        kwargs.setdefault("code", f"room-{n}")
        kwargs.setdefault("name_zh", f"90{n} 會議室")
        kwargs.setdefault("name_en", f"Room 90{n}")
        kwargs.setdefault("building", building)
        kwargs.setdefault("floor", "9F")
        kwargs.setdefault("capacity", 12)
        kwargs.setdefault("managing_unit", unit("SEC"))
        kwargs.setdefault("horizon_days", 30)
        kwargs.setdefault("max_minutes", 240)
        room = Room.objects.create(**kwargs)
        room.equipment.set(equipment)
        return room

    return make


@pytest.fixture
def room(make_room, projector, video):
    return make_room(equipment=[projector, video])


@pytest.fixture
def restricted(make_room, manager):
    return make_room(
        code="hall",
        name_zh="大禮堂",
        name_en="Auditorium",
        capacity=200,
        restricted=True,
        approver=manager,
    )
