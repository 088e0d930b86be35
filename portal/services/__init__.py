"""Writes of the employee portal. Other apps call these (never the models):

- ``booking_create(actor=, room=, start=, end=, title=, attendees=, equipment=, recurrence=,
  skip_conflicts=)`` → ``BookingResult``; raises ``BookingConflict`` when the slot is taken;
- ``booking_cancel(booking=, actor=)``, ``series_cancel(series=, actor=)``;
- ``booking_approved`` / ``booking_refused``: the sign-off hooks of restricted rooms;
- ``booking_reminders_send()``: the reminder job.
"""

from .approvals import booking_approved, booking_refused
from .bookings import (
    BookingConflict,
    BookingResult,
    booking_cancel,
    booking_create,
    series_cancel,
)
from .reminders import booking_reminders_send

__all__ = [
    "BookingConflict",
    "BookingResult",
    "booking_approved",
    "booking_cancel",
    "booking_create",
    "booking_refused",
    "booking_reminders_send",
    "series_cancel",
]
