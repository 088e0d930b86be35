"""The room-booking pages: the grid, the booking form, my bookings, the detail page with its
cancel buttons and the .ics invitation, and who may see or cancel what."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditLogEntry
from documents.models import SignOffChain
from documents.services import signoff_return
from mol_portal.celery import collect_beat_schedule
from notifications.models import Notice
from portal import services
from portal.models import Booking, BookingSeries
from portal.recurrence import Recurrence
from portal.services import booking_reminders_send
from portal.views.rooms import PAGE_SIZE

from .conftest import taipei

pytestmark = pytest.mark.usefixtures("clock")


def taken(room, user, start, end, title="他人的機密會議", **kwargs):
    return services.booking_create(
        actor=user, room=room, start=start, end=end, title=title, **kwargs
    )


def form(room, **extra):
    data = {
        "room": room.pk,
        "title": "專案會議",
        "date": "2026-03-03",
        "start_time": "10:00",
        "end_time": "11:00",
        "attendees": "",
        "note": "",
        "repeat": "",
        "until": "",
        "count": "",
    }
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_the_login_page(client, room):
    for name in ("portal:rooms", "portal:availability", "portal:booking_new", "portal:my_bookings"):
        answer = client.get(reverse(name))
        assert answer.status_code == 302
        assert "/accounts/login/" in answer["Location"]


def test_room_list_and_detail_show_the_room(client, owner, room):
    client.force_login(owner)
    answer = client.get(reverse("portal:rooms"))
    assert answer.status_code == 200
    assert room.name_zh in answer.content.decode()
    answer = client.get(room.get_absolute_url())
    assert answer.status_code == 200
    assert "投影機" in answer.content.decode()


def test_room_list_filters_by_capacity(client, owner, room, make_room):
    big = make_room(code="big", name_zh="大會議室", capacity=80)
    client.force_login(owner)
    page = client.get(reverse("portal:rooms"), {"capacity": 50}).content.decode()
    assert big.name_zh in page and room.name_zh not in page


def test_book_through_the_form_then_see_it_in_my_bookings(client, owner, colleague, room):
    client.force_login(owner)
    answer = client.post(reverse("portal:booking_new"), form(room, attendees="colleague"))
    booking = Booking.objects.get()
    assert answer.status_code == 302 and answer["Location"] == booking.get_absolute_url()
    assert (booking.start, booking.end) == (taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))
    assert list(booking.attendees.all()) == [colleague]
    page = client.get(reverse("portal:my_bookings")).content.decode()
    assert "專案會議" in page
    # The attendee sees it in their list too.
    client.force_login(colleague)
    assert "專案會議" in client.get(reverse("portal:my_bookings")).content.decode()


def test_form_errors_name_the_field(client, owner, room):
    client.force_login(owner)
    answer = client.post(reverse("portal:booking_new"), form(room, end_time="09:00"))
    assert answer.status_code == 200
    assert answer.context["form"].errors["end_time"]
    answer = client.post(reverse("portal:booking_new"), form(room, date="2026-03-01"))
    assert answer.context["form"].errors["date"]
    answer = client.post(reverse("portal:booking_new"), form(room, attendees="ghost"))
    assert answer.context["form"].errors["attendees"]
    assert not Booking.objects.exists()


def test_a_room_id_outside_the_choices_is_refused(client, owner, room):
    room.is_active = False
    room.save()
    client.force_login(owner)
    answer = client.post(reverse("portal:booking_new"), form(room))
    assert answer.context["form"].errors["room"]
    assert not Booking.objects.exists()


def test_series_with_one_conflict_lists_the_date_then_books_the_rest(
    client, owner, colleague, room
):
    taken(room, colleague, taipei(2026, 3, 10, 10, 0), taipei(2026, 3, 10, 11, 0))
    client.force_login(owner)
    data = form(room, repeat="weekly", weekdays=["1"], count="3")
    answer = client.post(reverse("portal:booking_new"), data)
    assert answer.status_code == 200
    assert answer.context["conflict"]["dates"] == [dt.date(2026, 3, 10)]
    assert 'datetime="2026-03-10"' in answer.content.decode()
    assert Booking.objects.count() == 1
    answer = client.post(reverse("portal:booking_new"), {**data, "skip_conflicts": "on"})
    assert answer.status_code == 302
    series = BookingSeries.objects.get()
    assert [b.start.date() for b in series.bookings.order_by("start")] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 17),
    ]


def test_conflict_suggests_another_free_room(client, owner, colleague, room, make_room):
    other = make_room(code="other", name_zh="備用會議室", capacity=20)
    taken(room, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))
    client.force_login(owner)
    answer = client.post(reverse("portal:booking_new"), form(room))
    assert answer.context["conflict"]["free_rooms"] == [other]


def test_grid_day_and_week_queries_do_not_grow_with_rooms(
    client, owner, colleague, make_room, django_assert_max_num_queries
):
    rooms = [make_room() for _ in range(3)]
    for index, each in enumerate(rooms):
        taken(each, colleague, taipei(2026, 3, 2, 10 + index, 0), taipei(2026, 3, 2, 11 + index, 0))
    client.force_login(owner)
    url = reverse("portal:availability")
    client.get(url)  # warm the per-session caches
    counts = {}
    for label in ("few", "many"):
        if label == "many":
            for _ in range(12):
                more = make_room()
                taken(more, colleague, taipei(2026, 3, 4, 9, 0), taipei(2026, 3, 4, 10, 0))
        for view in ("day", "week"):
            with django_assert_max_num_queries(40) as captured:
                answer = client.get(url, {"date": "2026-03-02", "view": view})
            assert answer.status_code == 200
            counts[label, view] = len(captured)
    assert counts["few", "day"] == counts["many", "day"]
    assert counts["few", "week"] == counts["many", "week"]
    answer = client.get(url, {"date": "2026-03-02", "view": "day"})
    # Other people's bookings show as taken, not by their title.
    assert "他人的機密會議" not in answer.content.decode()
    cells = [cell for row in answer.context["grid"].rows for cell in row.cells if cell.booking]
    assert len(cells) == 3 and not any(cell.booking.visible for cell in cells)


def test_grid_shows_my_own_booking_by_title(client, owner, room):
    taken(room, owner, taipei(2026, 3, 2, 14, 0), taipei(2026, 3, 2, 15, 0), title="我的會議")
    client.force_login(owner)
    page = client.get(reverse("portal:availability"), {"date": "2026-03-02"}).content.decode()
    assert "我的會議" in page


def test_outsider_cannot_see_a_booking_or_its_invitation(client, owner, outsider, room):
    booking = taken(room, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0)).bookings[0]
    client.force_login(outsider)
    assert client.get(booking.get_absolute_url()).status_code == 404
    assert client.get(reverse("portal:booking_ics", args=[booking.pk])).status_code == 404
    assert client.post(reverse("portal:booking_cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_invited_colleague_cannot_cancel_another_persons_booking(client, owner, colleague, room):
    booking = taken(
        room, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0), attendees=[colleague]
    ).bookings[0]
    client.force_login(colleague)
    page = client.get(booking.get_absolute_url())
    assert page.status_code == 200 and not page.context["may_cancel"]
    assert client.post(reverse("portal:booking_cancel", args=[booking.pk])).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_owner_cancels_a_booking_and_the_attendees_hear_of_it(client, owner, colleague, room):
    booking = taken(
        room, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0), attendees=[colleague]
    ).bookings[0]
    client.force_login(owner)
    answer = client.post(reverse("portal:booking_cancel", args=[booking.pk]))
    assert answer.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", owner)
    assert Notice.objects.filter(recipient=colleague).count() == 2  # invited, then cancelled
    assert AuditLogEntry.objects.filter(object_id=str(booking.pk), action="update").exists()
    # A second cancel changes nothing.
    client.post(reverse("portal:booking_cancel", args=[booking.pk]))
    assert Notice.objects.filter(recipient=colleague).count() == 2
    # The slot is free again.
    taken(room, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))


def test_room_manager_may_cancel_any_booking_of_the_room(client, owner, manager, room):
    booking = taken(room, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0)).bookings[0]
    client.force_login(manager)
    assert client.get(booking.get_absolute_url()).status_code == 200
    client.post(reverse("portal:booking_cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_cancel_one_occurrence_or_the_whole_series(client, owner, room):
    result = taken(
        room,
        owner,
        taipei(2026, 3, 3, 10, 0),
        taipei(2026, 3, 3, 11, 0),
        recurrence=Recurrence(freq="daily", count=4),
    )
    first, second = result.bookings[:2]
    client.force_login(owner)
    client.post(reverse("portal:booking_cancel", args=[second.pk]))
    statuses = list(result.series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "cancelled", "confirmed", "confirmed"]
    client.post(reverse("portal:series_cancel", args=[first.pk]))
    statuses = list(result.series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == ["cancelled"] * 4


def test_cancelling_a_pending_booking_withdraws_its_approval(client, owner, restricted):
    booking = taken(
        restricted, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0)
    ).bookings[0]
    assert booking.status == "pending"
    client.force_login(owner)
    client.post(reverse("portal:booking_cancel", args=[booking.pk]))
    chain = SignOffChain.objects.get(target_object_id=str(booking.pk))
    assert chain.status == "cancelled"
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_refused_restricted_booking_frees_the_slot(owner, colleague, restricted, manager):
    booking = taken(
        restricted, owner, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0)
    ).bookings[0]
    step = SignOffChain.objects.get(target_object_id=str(booking.pk)).steps.get()
    signoff_return(step=step, actor=manager, comment="場地保留給部務會報")
    booking.refresh_from_db()
    assert booking.status == "rejected"
    assert taken(restricted, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))


def test_ics_invitation_is_a_request_with_every_occurrence(client, owner, colleague, room):
    result = taken(
        room,
        owner,
        taipei(2026, 3, 3, 10, 0),
        taipei(2026, 3, 3, 11, 0),
        title="週會; 第一季, 檢討",
        attendees=[colleague],
        recurrence=Recurrence(freq="weekly", count=2),
    )
    client.force_login(colleague)
    answer = client.get(reverse("portal:booking_ics", args=[result.bookings[0].pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    text = answer.content.decode()
    unfolded = text.replace("\r\n ", "")
    assert "METHOD:REQUEST\r\n" in text
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20260303T020000Z" in text and "DTSTART:20260310T020000Z" in text
    assert "SUMMARY:週會\\; 第一季\\, 檢討" in unfolded
    assert f"mailto:{colleague.email}" in unfolded and f"mailto:{owner.email}" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_hostile_title_is_escaped_on_the_pages(client, owner, room):
    booking = taken(
        room,
        owner,
        taipei(2026, 3, 3, 10, 0),
        taipei(2026, 3, 3, 11, 0),
        title="<script>alert(1)</script>\u202e\u2067週會",
    ).bookings[0]
    assert booking.title == "<script>alert(1)</script>週會"
    client.force_login(owner)
    grid = reverse("portal:availability") + "?date=2026-03-03&view="
    for url in (
        booking.get_absolute_url(),
        reverse("portal:my_bookings"),
        grid + "day",
        grid + "week",
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_week_grid_cells_link_my_booking_hide_others_and_offer_each_day(
    client, owner, colleague, make_room
):
    room = make_room(code="w1", name_zh="<i>斜體</i>會議室")
    mine = taken(
        room, owner, taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 10, 30), title="我的週會"
    )
    taken(room, colleague, taipei(2026, 3, 4, 14, 0), taipei(2026, 3, 4, 15, 0), title="他人會議")
    client.force_login(owner)
    page = client.get(
        reverse("portal:availability"), {"date": "2026-03-03", "view": "week"}
    ).content.decode()
    assert "<i>斜體</i>" not in page and "&lt;i&gt;斜體&lt;/i&gt;會議室" in page
    assert (
        f'<li>09:00–10:30 <a href="{mine.bookings[0].get_absolute_url()}">我的週會</a></li>' in page
    )
    assert "<li>14:00–15:00 已預約</li>" in page and "他人會議" not in page
    new = reverse("portal:booking_new")
    for day in range(2, 9):
        assert f'href="{new}?room={room.pk}&amp;date=2026-03-{day:02d}"' in page


def test_reminder_job_reminds_once_shortly_before_the_start(clock, owner, colleague, room):
    booking = taken(
        room, owner, taipei(2026, 3, 2, 10, 0), taipei(2026, 3, 2, 11, 0), attendees=[colleague]
    ).bookings[0]
    assert booking_reminders_send() == 0  # an hour ahead: not yet
    clock.move_to(taipei(2026, 3, 2, 9, 35))
    assert booking_reminders_send() == 1
    assert booking_reminders_send() == 0
    reminded = Notice.objects.filter(target_id=str(booking.pk), title__contains="10:00")
    assert {n.recipient for n in reminded} == {owner, colleague}


def test_reminder_task_is_scheduled():
    schedule = collect_beat_schedule()
    assert schedule["portal-booking-reminders"]["task"] == "portal.tasks.send_booking_reminders"


def test_room_list_pages_keep_the_filter(client, owner, make_room, building):
    for n in range(PAGE_SIZE + 3):
        make_room(code=f"p{n:03d}", capacity=30)
    make_room(code="small", capacity=4)
    client.force_login(owner)
    url = reverse("portal:rooms")
    first = client.get(url, {"capacity": 20})
    assert len(first.context["rooms"]) == PAGE_SIZE
    assert "capacity=20&amp;page=2" in first.content.decode()
    second = client.get(url, {"capacity": 20, "page": 2})
    assert [r.code for r in second.context["rooms"]] == ["p050", "p051", "p052"]
    assert client.get(url, {"capacity": 20, "page": "x"}).context["page"].number == 1


def test_my_bookings_are_paginated(client, owner, room):
    for n in range(PAGE_SIZE + 1):
        start = taipei(2026, 3, 3 + n // 10, 8 + n % 10, 0)
        taken(room, owner, start, start + dt.timedelta(minutes=30), title=f"會議{n:02d}")
    client.force_login(owner)
    first = client.get(reverse("portal:my_bookings"))
    assert len(first.context["bookings"]) == PAGE_SIZE
    last = client.get(reverse("portal:my_bookings"), {"page": 2})
    assert [b.title for b in last.context["bookings"]] == [f"會議{PAGE_SIZE:02d}"]
