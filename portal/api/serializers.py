"""Serializers of the portal API (room booking). Input serializers parse only; the services
decide. Times are ISO 8601 with their offset (answers in Asia/Taipei, +08:00)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import BookingStatus, Frequency, Weekday
from ..constants import MAX_ATTENDEES, MAX_OCCURRENCES, TITLE_MAX
from ..models import Booking, Building, Room


class BuildingSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Building
        fields = ["id", "code", "name", "name_zh", "name_en"]


class RoomSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    building = BuildingSerializer(read_only=True)
    equipment = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "building",
            "floor",
            "capacity",
            "equipment",
            "accessible",
            "restricted",
            "horizon_days",
            "max_minutes",
            "photo_url",
        ]

    def get_equipment(self, room) -> list[str]:
        return [item.code for item in room.equipment.all()]

    def get_photo_url(self, room) -> str | None:
        if not room.photo:
            return None
        request = self.context.get("request")
        path = f"/portal/rooms/{room.pk}/photo/"
        return request.build_absolute_uri(path) if request else path


class BusySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    title = serializers.CharField(
        allow_null=True, help_text="Only for bookings the caller may read; null otherwise."
    )


class FreeSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    room = serializers.IntegerField()
    start = serializers.DateTimeField(source="from_")
    end = serializers.DateTimeField(source="to")
    busy = BusySerializer(many=True)
    free = FreeSerializer(many=True)


class RecurrenceSerializer(serializers.Serializer):
    freq = serializers.ChoiceField(choices=Frequency.choices)
    count = serializers.IntegerField(min_value=1, max_value=MAX_OCCURRENCES, required=False)
    until = serializers.DateField(required=False, help_text="YYYY-MM-DD, inclusive.")
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=Weekday.choices),
        required=False,
        max_length=7,
        help_text="Weekly only: 0 Monday … 6 Sunday (default: the first booking's weekday).",
    )
    skip_conflicts = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if ("count" in attrs) == ("until" in attrs):
            raise serializers.ValidationError(
                _("Give either a number of occurrences or an end date, not both.")
            )
        return attrs


class StrictDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its offset (``2026-03-05T09:00:00+08:00``)."""

    default_error_messages = {"offset": _("Give the time with its offset (e.g. +08:00).")}

    def to_internal_value(self, value):
        if isinstance(value, str) and value.strip():
            text = value.strip()
            tail = text[10:]
            if not (text.endswith("Z") or "+" in tail or "-" in tail):
                self.fail("offset")
        return super().to_internal_value(value)


class BookingCreateSerializer(serializers.Serializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.none())
    start = StrictDateTimeField()
    end = StrictDateTimeField()
    title = serializers.CharField(max_length=TITLE_MAX)
    attendees = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=MAX_ATTENDEES,
        help_text="Login names or employee numbers.",
    )
    equipment = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=50,
        help_text="Equipment codes of the room.",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    recurrence = RecurrenceSerializer(required=False)
    skip_conflicts = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Book a series' free dates, leaving out the taken ones.",
    )

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms


class BookingSerializer(serializers.ModelSerializer):
    attendees = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    equipment = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "room",
            "series",
            "title",
            "start",
            "end",
            "status",
            "attendees",
            "equipment",
        ]


class BookingCreatedSerializer(serializers.Serializer):
    series = serializers.IntegerField(allow_null=True)
    bookings = BookingSerializer(many=True)
    skipped_dates = serializers.ListField(child=serializers.DateField())


class ConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    title = serializers.CharField(allow_null=True)


class ConflictErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField()
    conflicts = ConflictSerializer(many=True)
    conflicting_dates = serializers.ListField(child=serializers.DateField())


class ConflictErrorSerializer(serializers.Serializer):
    error = ConflictErrorBodySerializer()
