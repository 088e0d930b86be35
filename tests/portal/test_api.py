"""The room-booking API: the contract, the 409 shape, refusals in the project's error shape."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from documents.models import SignOffChain
from documents.services import signoff_approve
from notifications.models import Notice
from portal import services
from portal.models import Booking, BookingSeries

from .conftest import taipei

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_owner(api, owner):
    api.force_authenticate(owner)
    return api


def book(api, room, start, end, title="週會", **extra):
    body = {"room": room.pk, "start": start.isoformat(), "end": end.isoformat(), "title": title}
    body.update(extra)
    return api.post("/api/v1/portal/bookings/", body, format="json")


def taken(room, user, start, end, title="已預約"):
    return services.booking_create(actor=user, room=room, start=start, end=end, title=title)


def test_anonymous_calls_get_401(api, room):
    for answer in (
        api.get("/api/v1/portal/rooms/"),
        api.get(f"/api/v1/portal/rooms/{room.pk}/availability/?from=2026-03-02&to=2026-03-03"),
        api.post("/api/v1/portal/bookings/", {}, format="json"),
    ):
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == 401


def test_rooms_lists_bookable_rooms_with_their_limits(
    as_owner, room, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        answer = as_owner.get("/api/v1/portal/rooms/")
    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert row["id"] == room.pk
    assert row["equipment"] == ["projector", "video"]
    assert (row["horizon_days"], row["max_minutes"], row["restricted"]) == (30, 240, False)
    assert row["building"]["code"] == "hq"


def test_book_once_answers_201_with_times_in_taipei(as_owner, room, colleague):
    answer = book(
        as_owner,
        room,
        taipei(2026, 3, 3, 10, 0),
        taipei(2026, 3, 3, 11, 0),
        attendees=["colleague"],
        equipment=["projector"],
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["series"] is None and body["skipped_dates"] == []
    [booking] = body["bookings"]
    assert booking["start"] == "2026-03-03T10:00:00+08:00"
    assert booking["status"] == "confirmed"
    assert booking["attendees"] == ["colleague"]
    assert booking["equipment"] == ["projector"]
    # The attendee is invited: a notice linking to the booking, naming its .ics invitation.
    notice = Notice.objects.get(recipient=colleague)
    assert notice.link.endswith(f"/portal/bookings/{booking['id']}/")
    assert f"/portal/bookings/{booking['id']}/download/invite.ics" in notice.body


def test_taken_slot_answers_409_with_the_conflicting_booking(as_owner, room, colleague):
    first = taken(room, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))
    answer = book(as_owner, room, taipei(2026, 3, 3, 10, 30), taipei(2026, 3, 3, 11, 30))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (409, "conflict")
    assert error["message"] and error["fields"] == {}
    assert error["conflicting_dates"] == ["2026-03-03"]
    [conflict] = error["conflicts"]
    assert conflict["id"] == first.bookings[0].pk
    assert conflict["start"] == "2026-03-03T10:00:00+08:00"
    # Another person's booking: when, not what.
    assert conflict["title"] is None
    assert Booking.objects.count() == 1


def test_back_to_back_bookings_do_not_conflict(as_owner, room, colleague):
    taken(room, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0))
    answer = book(as_owner, room, taipei(2026, 3, 3, 11, 0), taipei(2026, 3, 3, 12, 0))
    assert answer.status_code == 201


def test_weekly_series_with_one_conflict_lists_exactly_that_date(as_owner, room, colleague):
    taken(room, colleague, taipei(2026, 3, 12, 14, 30), taipei(2026, 3, 12, 15, 30))
    rule = {"freq": "weekly", "weekdays": [0, 3], "count": 6}
    answer = book(
        as_owner, room, taipei(2026, 3, 2, 14, 0), taipei(2026, 3, 2, 15, 0), recurrence=rule
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["conflicting_dates"] == ["2026-03-12"]
    assert not BookingSeries.objects.exists()
    assert Booking.objects.count() == 1


def test_skip_conflicts_books_the_rest_and_reports_the_left_out_date(as_owner, room, colleague):
    taken(room, colleague, taipei(2026, 3, 12, 14, 30), taipei(2026, 3, 12, 15, 30))
    rule = {"freq": "weekly", "weekdays": [0, 3], "count": 6, "skip_conflicts": True}
    answer = book(
        as_owner, room, taipei(2026, 3, 2, 14, 0), taipei(2026, 3, 2, 15, 0), recurrence=rule
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["skipped_dates"] == ["2026-03-12"]
    starts = [b["start"][:10] for b in body["bookings"]]
    assert starts == ["2026-03-02", "2026-03-05", "2026-03-09", "2026-03-16", "2026-03-19"]
    series = BookingSeries.objects.get(pk=body["series"])
    assert series.skipped_dates == ["2026-03-12"]


def test_skip_conflicts_at_the_top_level_works_too(as_owner, room, colleague):
    taken(room, colleague, taipei(2026, 3, 3, 14, 0), taipei(2026, 3, 3, 15, 0))
    answer = book(
        as_owner,
        room,
        taipei(2026, 3, 2, 14, 0),
        taipei(2026, 3, 2, 15, 0),
        recurrence={"freq": "daily", "until": "2026-03-04"},
        skip_conflicts=True,
    )
    assert answer.status_code == 201
    assert answer.json()["skipped_dates"] == ["2026-03-03"]
    assert len(answer.json()["bookings"]) == 2


def test_monthly_series_until_a_date(as_owner, room):
    answer = book(
        as_owner,
        room,
        taipei(2026, 3, 3, 9, 0),
        taipei(2026, 3, 3, 10, 0),
        recurrence={"freq": "monthly", "until": "2026-03-31"},
    )
    assert answer.status_code == 201
    assert [b["start"][:10] for b in answer.json()["bookings"]] == ["2026-03-03"]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (taipei(2026, 3, 2, 8, 0), taipei(2026, 3, 2, 8, 30), "start"),  # in the past
        (taipei(2026, 4, 2, 9, 0), taipei(2026, 4, 2, 10, 0), "start"),  # beyond 30 days
        (taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 13, 30), "end"),  # longer than 4 hours
        (taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 9, 0), "end"),  # end before start
        (taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 10, 0), "end"),  # empty
    ],
    ids=["past", "beyond-horizon", "too-long", "end-before-start", "empty"],
)
def test_refusals_name_the_field(as_owner, room, start, end, field):
    answer = book(as_owner, room, start, end)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert field in error["fields"]
    assert not Booking.objects.exists()


def test_a_series_running_past_the_horizon_is_refused(as_owner, room):
    answer = book(
        as_owner,
        room,
        taipei(2026, 3, 3, 9, 0),
        taipei(2026, 3, 3, 10, 0),
        recurrence={"freq": "weekly", "count": 10},
    )
    assert answer.status_code == 400
    assert "recurrence" in answer.json()["error"]["fields"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-03-03T10:00:00"}, "start"),  # no offset
        ({"start": "tomorrow"}, "start"),
        ({"room": 999999}, "room"),
        ({"room": "x"}, "room"),
        ({"title": "x" * 201}, "title"),
        ({"title": "   "}, "title"),
        ({"attendees": ["nobody-here"]}, "attendees"),
        ({"equipment": ["teleporter"]}, "equipment"),
        ({"recurrence": {"freq": "daily"}}, "recurrence"),
        ({"recurrence": {"freq": "hourly", "count": 2}}, "recurrence"),
        ({"recurrence": "weekly"}, "recurrence"),
    ],
    ids=[
        "naive",
        "not-a-time",
        "unknown-room",
        "room-wrong-type",
        "long-title",
        "blank-title",
        "unknown-attendee",
        "unknown-equipment",
        "no-end",
        "bad-freq",
        "recurrence-wrong-type",
    ],
)
def test_bad_input_answers_400_naming_the_field(as_owner, room, body, field):
    payload = {
        "room": room.pk,
        "start": "2026-03-03T10:00:00+08:00",
        "end": "2026-03-03T11:00:00+08:00",
        "title": "週會",
        **body,
    }
    answer = as_owner.post("/api/v1/portal/bookings/", payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_equipment_the_room_lacks_is_refused(as_owner, make_room, room, projector):
    bare = make_room(code="bare")
    answer = book(
        as_owner, bare, taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 10, 0), equipment=["projector"]
    )
    assert answer.status_code == 400
    assert "equipment" in answer.json()["error"]["fields"]


def test_hostile_title_is_stored_without_bidi_controls_and_returned_as_data(as_owner, room):
    title = "<script>alert(1)</script>\u202eevil\u2066 週會"
    answer = book(as_owner, room, taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 10, 0), title=title)
    assert answer.status_code == 201
    stored = Booking.objects.get().title
    assert stored == "<script>alert(1)</script>evil 週會"
    assert "\u202e" not in answer.json()["bookings"][0]["title"]


def test_restricted_room_waits_for_its_approver_then_is_confirmed(as_owner, restricted, manager):
    answer = book(as_owner, restricted, taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 10, 0))
    assert answer.status_code == 201
    booking = Booking.objects.get()
    assert booking.status == "pending"
    chain = SignOffChain.objects.get(target_object_id=str(booking.pk))
    step = chain.steps.get()
    assert step.assignee == manager
    # The pending booking holds the slot.
    again = book(as_owner, restricted, taipei(2026, 3, 3, 9, 30), taipei(2026, 3, 3, 10, 30))
    assert again.status_code == 409
    signoff_approve(step=step, actor=manager)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert Notice.objects.filter(recipient=booking.organiser, source="portal").exists()


def test_availability_lists_busy_and_free_times(as_owner, room, colleague, owner):
    taken(room, colleague, taipei(2026, 3, 3, 10, 0), taipei(2026, 3, 3, 11, 0), title="別人的")
    taken(room, owner, taipei(2026, 3, 3, 14, 0), taipei(2026, 3, 3, 15, 0), title="我的")
    answer = as_owner.get(
        f"/api/v1/portal/rooms/{room.pk}/availability/"
        "?from=2026-03-03T08:00:00%2B08:00&to=2026-03-03T18:00:00%2B08:00"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert [(b["start"], b["title"]) for b in body["busy"]] == [
        ("2026-03-03T10:00:00+08:00", None),
        ("2026-03-03T14:00:00+08:00", "我的"),
    ]
    assert [(f["start"][11:16], f["end"][11:16]) for f in body["free"]] == [
        ("08:00", "10:00"),
        ("11:00", "14:00"),
        ("15:00", "18:00"),
    ]


def test_availability_query_count_does_not_grow_with_bookings(
    as_owner, room, colleague, django_assert_max_num_queries
):
    for day in range(3, 13):
        taken(room, colleague, taipei(2026, 3, day, 10, 0), taipei(2026, 3, day, 11, 0))
    with django_assert_max_num_queries(6):
        answer = as_owner.get(
            f"/api/v1/portal/rooms/{room.pk}/availability/?from=2026-03-02&to=2026-03-16"
        )
    assert len(answer.json()["busy"]) == 10


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-02", "to"),
        ("from=yesterday&to=2026-03-03", "from"),
        ("from=2026-03-03&to=2026-03-02", "to"),
        ("from=2026-03-01&to=2026-05-01", "to"),
        ("from=2026-03-02T08:00:00&to=2026-03-03", "from"),
    ],
    ids=["missing-to", "bad-from", "reversed", "too-long", "naive"],
)
def test_availability_refuses_bad_ranges(as_owner, room, query, field):
    answer = as_owner.get(f"/api/v1/portal/rooms/{room.pk}/availability/?{query}")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_availability_of_an_unknown_or_closed_room_is_404(as_owner, room):
    room.is_active = False
    room.save()
    answer = as_owner.get(
        f"/api/v1/portal/rooms/{room.pk}/availability/?from=2026-03-02&to=2026-03-03"
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_inactive_user_cannot_book(room, owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(PermissionDenied):
        taken(room, owner, taipei(2026, 3, 3, 9, 0), taipei(2026, 3, 3, 10, 0))
    assert not Booking.objects.exists()


def test_a_booking_spanning_midnight_within_the_limit_is_allowed(as_owner, room):
    answer = book(as_owner, room, taipei(2026, 3, 3, 22, 0), taipei(2026, 3, 4, 1, 0))
    assert answer.status_code == 201
    assert Booking.objects.get().end - Booking.objects.get().start == dt.timedelta(hours=3)
