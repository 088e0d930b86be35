"""The portal API (room booking): the same rules as the pages (``selectors``, ``services``).

A taken slot answers **409** in the project's error shape with two more keys in ``error``:
``conflicts`` (the bookings in the way; their title only when the caller may read them) and
``conflicting_dates`` (ISO dates of the occurrences they block)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.exceptions import error_body

from .. import selectors, services
from ..constants import MAX_GRID_DAYS
from ..models import Equipment, Room
from ..recurrence import Recurrence
from .serializers import (
    AvailabilitySerializer,
    BookingCreatedSerializer,
    BookingCreateSerializer,
    ConflictErrorSerializer,
    RoomSerializer,
)


@extend_schema(tags=["portal"], summary="Meeting rooms the caller may book")
class RoomListView(generics.ListAPIView):
    serializer_class = RoomSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.rooms(self.request.user)


def _moment(value: str, name: str, *, end: bool = False) -> dt.datetime:
    value = (value or "").strip()
    if not value:
        raise exceptions.ValidationError({name: [_("This parameter is required.")]})
    moment = None
    try:
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        else:
            moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: [_("Give an ISO 8601 date (YYYY-MM-DD) or time with its offset.")]}
        )
    if timezone.is_naive(moment):
        raise exceptions.ValidationError(
            {name: [_("Give the time with its offset (e.g. +08:00).")]}
        )
    return moment


@extend_schema(
    tags=["portal"],
    summary="Busy and free times of one room",
    parameters=[
        OpenApiParameter(
            "from",
            str,
            required=True,
            description="ISO 8601 time with offset, or a date (its 00:00 in Asia/Taipei).",
        ),
        OpenApiParameter(
            "to", str, required=True, description="Exclusive; at most 31 days after from."
        ),
    ],
    responses=AvailabilitySerializer,
)
class RoomAvailabilityView(APIView):
    def get(self, request, pk: int):
        try:
            room = selectors.room_get(request.user, pk)
        except Room.DoesNotExist as exc:
            raise exceptions.NotFound from exc
        start = _moment(request.query_params.get("from", ""), "from")
        end = _moment(request.query_params.get("to", ""), "to")
        if end <= start:
            raise exceptions.ValidationError({"to": [_("The end must be after the start.")]})
        if end - start > dt.timedelta(days=MAX_GRID_DAYS):
            raise exceptions.ValidationError(
                {"to": [_("At most %(days)d days at once.") % {"days": MAX_GRID_DAYS}]}
            )
        bookings = selectors.occupancy([room], start, end, user=request.user).get(room.pk, [])
        busy, free, cursor = [], [], start
        for booking in bookings:
            busy.append(
                {
                    "id": booking.pk,
                    "start": booking.start,
                    "end": booking.end,
                    "status": booking.status,
                    "title": booking.title if booking.visible else None,
                }
            )
            if booking.start > cursor:
                free.append({"start": cursor, "end": booking.start})
            cursor = max(cursor, booking.end)
        if cursor < end:
            free.append({"start": cursor, "end": end})
        data = {"room": room.pk, "from_": start, "to": end, "busy": busy, "free": free}
        return Response(AvailabilitySerializer(data).data)


def _people(handles: list[str]) -> list[User]:
    handles = list(dict.fromkeys(h.strip() for h in handles if h.strip()))
    if not handles:
        return []
    people = list(
        User.objects.filter(is_active=True).filter(
            Q(username__in=handles) | Q(employee_number__in=handles)
        )
    )
    known = {p.username for p in people} | {p.employee_number for p in people}
    unknown = [h for h in handles if h not in known]
    if unknown:
        raise exceptions.ValidationError(
            {
                "attendees": [
                    _("No active member of staff is called %(names)s.")
                    % {"names": ", ".join(unknown[:5])}
                ]
            }
        )
    return people


def _equipment(codes: list[str]) -> list[Equipment]:
    codes = list(dict.fromkeys(codes))
    items = list(Equipment.objects.filter(code__in=codes))
    if len(items) != len(codes):
        raise exceptions.ValidationError({"equipment": [_("Unknown equipment code.")]})
    return items


def conflict_response(exc: services.BookingConflict, user) -> Response:
    managed = {}
    conflicts = []
    for booking in exc.conflicts:
        if booking.room_id not in managed:
            managed[booking.room_id] = selectors.manages_room(user, booking.room)
        visible = booking.organiser_id == user.pk or managed[booking.room_id]
        conflicts.append(
            {
                "id": booking.pk,
                "room": booking.room_id,
                "start": booking.start,
                "end": booking.end,
                "status": booking.status,
                "title": booking.title if visible else None,
            }
        )
    body = error_body(409, "conflict", str(exc))
    body["error"]["conflicts"] = conflicts
    body["error"]["conflicting_dates"] = [day.isoformat() for day in exc.dates]
    return Response(ConflictErrorSerializer(body).data, status=status.HTTP_409_CONFLICT)


@extend_schema(
    tags=["portal"],
    summary="Book a room, once or as a series",
    request=BookingCreateSerializer,
    responses={201: BookingCreatedSerializer, 409: ConflictErrorSerializer},
)
class BookingCreateView(APIView):
    def post(self, request):
        rooms = selectors.rooms(request.user).prefetch_related("equipment")
        serializer = BookingCreateSerializer(data=request.data, rooms=rooms)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = data.get("recurrence")
        recurrence = None
        skip = data.get("skip_conflicts", False)
        if rule:
            recurrence = Recurrence(
                freq=rule["freq"],
                count=rule.get("count"),
                until=rule.get("until"),
                weekdays=tuple(sorted(set(rule.get("weekdays") or ()))),
            )
            skip = skip or rule.get("skip_conflicts", False)
        try:
            result = services.booking_create(
                actor=request.user,
                room=data["room"],
                start=data["start"],
                end=data["end"],
                title=data["title"],
                attendees=_people(data.get("attendees", [])),
                equipment=_equipment(data.get("equipment", [])),
                note=data.get("note", ""),
                recurrence=recurrence,
                skip_conflicts=skip,
            )
        except services.BookingConflict as exc:
            return conflict_response(exc, request.user)
        body = {
            "series": result.series.pk if result.series else None,
            "bookings": result.bookings,
            "skipped_dates": result.skipped,
        }
        return Response(BookingCreatedSerializer(body).data, status=status.HTTP_201_CREATED)
