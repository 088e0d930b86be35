"""Models of the employee portal (員工入口網). Section 1, meeting-room booking: buildings,
equipment, rooms, booking series and bookings.

Rules live in ``services`` (writes, each taking ``actor=``) and ``selectors`` (reads); the
models hold the data and the database constraints. No double booking is the database's job on
PostgreSQL: migration 0002 adds an exclusion constraint over ``tstzrange(start, end)`` per room
for the active bookings (``btree_gist``). SQLite has none; there the service checks under a
lock (``services.bookings``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

from ..choices import BookingStatus, Frequency

__all__ = ["Booking", "BookingSeries", "Building", "Equipment", "Room", "RoomQuerySet"]

USER = settings.AUTH_USER_MODEL


class Building(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["sort_order", "code"]


class Equipment(BilingualNameMixin, TimeStampedModel):
    """Something a room has that a booking may ask for (projector, video conferencing...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["code"]


class RoomQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Room(BilingualNameMixin, TimeStampedModel):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), related_name="rooms", on_delete=models.PROTECT
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    floor = models.CharField(_("floor"), max_length=10, help_text=_("For example 3F or B1."))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    equipment = models.ManyToManyField(
        Equipment, verbose_name=_("equipment"), related_name="rooms", blank=True
    )
    photo = models.ImageField(_("photo"), upload_to="portal/rooms/%Y/", blank=True)
    accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Bookings wait for the room manager's approval."),
    )
    approver = models.ForeignKey(
        USER,
        verbose_name=_("approver"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_(
            "Approves the bookings of this restricted room. Empty: the holders of the role "
            "meeting-room manager in the managing unit."
        ),
    )
    managing_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("managing unit"),
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("Its meeting-room managers manage the room (usually the Secretariat)."),
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days ahead)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    max_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"),
        default=480,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("bookable"), default=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        ordering = ["building__sort_order", "building__code", "floor", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(restricted=True) | Q(approver__isnull=True),
                name="portal_room_approver_only_if_restricted",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("portal:room", args=[self.pk])


class BookingSeries(TimeStampedModel):
    """A recurring booking: the rule it was made from; its occurrences are ``Booking`` rows."""

    room = models.ForeignKey(
        Room, verbose_name=_("room"), related_name="series", on_delete=models.PROTECT
    )
    organiser = models.ForeignKey(
        USER, verbose_name=_("organiser"), related_name="+", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    freq = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    weekdays = models.CharField(
        _("weekdays"), max_length=20, blank=True, help_text=_("0 Monday … 6 Sunday.")
    )
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)
    skipped_dates = models.JSONField(_("dates left out (taken)"), default=list, blank=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=False) | Q(count__isnull=False),
                name="portal_series_has_an_end",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def weekday_list(self) -> list[int]:
        return [int(x) for x in self.weekdays.split(",") if x.strip()]


class Booking(TimeStampedModel):
    room = models.ForeignKey(
        Room, verbose_name=_("room"), related_name="bookings", on_delete=models.PROTECT
    )
    series = models.ForeignKey(
        BookingSeries,
        verbose_name=_("series"),
        related_name="bookings",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organiser = models.ForeignKey(
        USER, verbose_name=_("organiser"), related_name="room_bookings", on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"))
    attendees = models.ManyToManyField(
        USER, verbose_name=_("attendees"), related_name="room_invitations", blank=True
    )
    equipment = models.ManyToManyField(
        Equipment, verbose_name=_("equipment"), related_name="bookings", blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        USER,
        verbose_name=_("cancelled by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["start", "room_id"]
        indexes = [
            models.Index(fields=["room", "start"], name="portal_booking_room_start"),
            models.Index(fields=["organiser", "start"], name="portal_booking_org_start"),
            models.Index(fields=["status", "start"], name="portal_booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="portal_booking_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:booking", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)
