"""Reminders before a booking starts (the periodic job ``portal.tasks.send_booking_reminders``):
each confirmed booking starting within ``PORTAL_ROOM_REMINDER_MINUTES`` is claimed once by a
conditional update of ``reminded_at`` and its organiser and attendees get a notice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import BookingStatus
from ..models import Booking
from .notices import reminder_notify

BATCH = 500


def booking_reminders_send(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    horizon = now + dt.timedelta(minutes=settings.PORTAL_ROOM_REMINDER_MINUTES)
    due = list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            reminded_at__isnull=True,
            start__gt=now,
            start__lte=horizon,
        )
        .order_by("start")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            if not Booking.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            booking = Booking.objects.select_related("room__building", "organiser").get(pk=pk)
            reminder_notify(booking=booking)
            sent += 1
    return sent
