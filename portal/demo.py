"""Demo data of meeting-room booking for the embedded default (``manage.py seed_demo``).

Three buildings, six kinds of equipment and 21 rooms; 林美華 (lin.meihua, 秘書處) holds
``portal.room_manager`` in the Secretariat, which manages every room, and approves the
restricted ones (the auditorium and the minister's conference room name her as approver).
About a week of bookings from now on by the demo users — a few waiting for her approval —
and a weekly series of 資訊處's section meeting. Idempotent: rooms once, bookings only while
there are none.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader

from . import (
    demo_leave,  # noqa: F401  (the leave loader)
    demo_payslips,  # noqa: F401  (the payslips loader)
    services,
)
from .choices import Frequency
from .models import Booking, Building, Equipment, Room
from .recurrence import Recurrence
from .roles import ROOM_MANAGER

BUILDINGS = [
    ("hq", "本部大樓", "Headquarters", "臺北市大同區延平北路二段83號", 1),
    ("annex", "第二辦公大樓", "Annex", "臺北市中正區中華路一段77號", 2),
    (
        "wda",
        "勞動力發展署大樓",
        "Workforce Development Agency building",
        "新北市新莊區中平路439號",
        3,
    ),
]
EQUIPMENT = [
    ("projector", "投影機", "Projector"),
    ("screen", "大型螢幕", "Large display"),
    ("video", "視訊會議設備", "Video conferencing"),
    ("mic", "麥克風與擴音", "Microphones and speakers"),
    ("whiteboard", "白板", "Whiteboard"),
    ("recording", "錄音設備", "Recording"),
]
# code, building, floor, name_zh, name_en, capacity, equipment, accessible, restricted, approver
ROOMS = [
    (
        "hq-b1-hall",
        "hq",
        "B1",
        "大禮堂",
        "Auditorium",
        220,
        "projector mic recording",
        True,
        True,
        True,
    ),
    (
        "hq-10-minister",
        "hq",
        "10F",
        "部長會議室",
        "Minister's conference room",
        30,
        "screen video mic recording",
        True,
        True,
        True,
    ),
    (
        "hq-9-901",
        "hq",
        "9F",
        "901 會議室",
        "Room 901",
        24,
        "projector video mic",
        True,
        False,
        False,
    ),
    ("hq-9-902", "hq", "9F", "902 會議室", "Room 902", 12, "screen whiteboard", True, False, False),
    (
        "hq-8-801",
        "hq",
        "8F",
        "801 會議室",
        "Room 801",
        40,
        "projector mic video",
        True,
        False,
        False,
    ),
    (
        "hq-8-802",
        "hq",
        "8F",
        "802 小會議室",
        "Room 802",
        8,
        "screen whiteboard",
        False,
        False,
        False,
    ),
    (
        "hq-7-701",
        "hq",
        "7F",
        "701 會議室",
        "Room 701",
        20,
        "projector whiteboard",
        True,
        False,
        False,
    ),
    (
        "hq-7-702",
        "hq",
        "7F",
        "702 討論室",
        "Discussion room 702",
        6,
        "whiteboard",
        False,
        False,
        False,
    ),
    ("hq-6-601", "hq", "6F", "601 會議室", "Room 601", 16, "screen video", True, False, False),
    (
        "hq-6-602",
        "hq",
        "6F",
        "602 討論室",
        "Discussion room 602",
        6,
        "whiteboard",
        True,
        False,
        False,
    ),
    (
        "hq-5-501",
        "hq",
        "5F",
        "501 視訊會議室",
        "Video room 501",
        14,
        "screen video mic",
        True,
        False,
        False,
    ),
    (
        "annex-3-301",
        "annex",
        "3F",
        "301 會議室",
        "Room 301",
        30,
        "projector mic",
        True,
        False,
        False,
    ),
    (
        "annex-3-302",
        "annex",
        "3F",
        "302 會議室",
        "Room 302",
        12,
        "screen whiteboard",
        True,
        False,
        False,
    ),
    (
        "annex-2-201",
        "annex",
        "2F",
        "201 訓練教室",
        "Training room 201",
        48,
        "projector mic recording",
        True,
        False,
        False,
    ),
    (
        "annex-2-202",
        "annex",
        "2F",
        "202 討論室",
        "Discussion room 202",
        6,
        "whiteboard",
        False,
        False,
        False,
    ),
    (
        "annex-1-101",
        "annex",
        "1F",
        "101 多功能室",
        "Multi-purpose room 101",
        60,
        "projector screen mic",
        True,
        True,
        False,
    ),
    ("wda-5-501", "wda", "5F", "501 會議室", "Room 501", 24, "projector video", True, False, False),
    ("wda-5-502", "wda", "5F", "502 會議室", "Room 502", 10, "screen", True, False, False),
    (
        "wda-3-301",
        "wda",
        "3F",
        "301 簡報室",
        "Briefing room 301",
        36,
        "projector mic",
        True,
        False,
        False,
    ),
    (
        "wda-3-302",
        "wda",
        "3F",
        "302 討論室",
        "Discussion room 302",
        6,
        "whiteboard",
        False,
        False,
        False,
    ),
    (
        "wda-1-hall",
        "wda",
        "1F",
        "國際會議廳",
        "International conference hall",
        150,
        "projector mic video recording",
        True,
        True,
        False,
    ),
]
TITLES = [
    "勞動條件檢查專案會議",
    "資訊安全稽核準備會議",
    "Labour insurance data exchange review",
    "職業安全衛生法修正草案研商",
    "年度預算編列協調會",
    "勞資爭議調解委員培訓",
    "公文線上簽核系統教育訓練",
    "就業服務據點業務檢討",
]
PEOPLE = ["chen.yiming", "wang.jianguo", "huang.shufen", "lee.zhiwei", "lin.meihua"]
HOURS = [(9, 0, 60), (10, 30, 90), (14, 0, 120), (16, 0, 60)]


def _rooms(secretariat, approver) -> None:
    buildings = {}
    for code, name_zh, name_en, address, order in BUILDINGS:
        buildings[code], _new = Building.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "address": address,
                "sort_order": order,
            },
        )
    equipment = {}
    for code, name_zh, name_en in EQUIPMENT:
        equipment[code], _new = Equipment.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en}
        )
    for (
        code,
        building,
        floor,
        name_zh,
        name_en,
        seats,
        items,
        accessible,
        restricted,
        named,
    ) in ROOMS:
        room, created = Room.objects.get_or_create(
            code=code,
            defaults={
                "building": buildings[building],
                "floor": floor,
                "name_zh": name_zh,
                "name_en": name_en,
                "capacity": seats,
                "accessible": accessible,
                "restricted": restricted,
                "approver": approver if named else None,
                "managing_unit": secretariat,
                "horizon_days": 180 if seats < 100 else 365,
                "max_minutes": 600 if seats >= 100 else 480,
            },
        )
        if created:
            room.equipment.set([equipment[item] for item in items.split()])


def _bookings(users: dict, stdout) -> int:
    rooms = list(Room.objects.filter(code__in=[r[0] for r in ROOMS]).order_by("code"))
    now = timezone.now()
    today = timezone.localdate()
    made = 0
    for offset in range(8):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for index, room in enumerate(rooms):
            if (index + offset) % 3 == 0:
                continue
            hour, minute, length = HOURS[(index + offset) % len(HOURS)]
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
            if start < now + dt.timedelta(minutes=30):
                continue
            organiser = users[PEOPLE[(index + offset) % len(PEOPLE)]]
            others = [users[p] for p in PEOPLE if users[p] != organiser][: (index % 3) + 1]
            try:
                services.booking_create(
                    actor=organiser,
                    room=room,
                    start=start,
                    end=start + dt.timedelta(minutes=length),
                    title=TITLES[(index * 3 + offset) % len(TITLES)],
                    attendees=others,
                )
            except services.BookingConflict:
                continue
            made += 1
    # A weekly series: 資訊處 meets on Mondays and Thursdays at 11:00 in room 902.
    room = Room.objects.get(code="hq-9-902")
    first = today + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(11, 0)))
    result = services.booking_create(
        actor=users["wang.jianguo"],
        room=room,
        start=start,
        end=start + dt.timedelta(minutes=60),
        title="資訊處科務會議",
        attendees=[users["admin"], users["lin.meihua"]],
        recurrence=Recurrence(freq=Frequency.WEEKLY, count=8, weekdays=(0, 3)),
        skip_conflicts=True,
    )
    return made + len(result.bookings)


@demo_loader(order=75)
def load_portal(stdout):
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[*PEOPLE, "admin"])
    }
    if len(users) < len(PEOPLE) + 1:
        stdout.write("  portal: demo users missing, skipped")
        return
    secretariat = Organization.objects.get(code="SEC")
    role_assign(
        application=None, user=users["lin.meihua"], role_code=ROOM_MANAGER, scope=secretariat
    )
    _rooms(secretariat, users["lin.meihua"])
    if Booking.objects.exists():
        stdout.write("  portal: demo bookings already loaded")
        return
    made = _bookings(users, stdout)
    stdout.write(f"  portal: {Room.objects.count()} rooms, {made} bookings")


# Equipment loans and supplies, IT repair and procurement have their own loaders
# (``portal.demo_loans``, ``portal.demo_repair``).
from . import (  # noqa: E402
    demo_loans,  # noqa: F401
    demo_repair,  # noqa: F401
)
