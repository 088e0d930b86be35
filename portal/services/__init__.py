"""Writes of the employee portal. Other apps call these (never the models):

- ``booking_create(actor=, room=, start=, end=, title=, attendees=, equipment=, recurrence=,
  skip_conflicts=)`` → ``BookingResult``; raises ``BookingConflict`` when the slot is taken;
- ``booking_cancel(booking=, actor=)``, ``series_cancel(series=, actor=)``;
- ``booking_approved`` / ``booking_refused``: the sign-off hooks of restricted rooms;
- ``booking_reminders_send()``: the reminder job.
- equipment loans (``services.loans``): ``loan_request``, ``loan_checkout``, ``loan_return``,
  ``loan_cancel``, the hooks ``loan_approved``/``loan_refused``, ``overdue_reminders_send``;
- supplies (``services.supplies``): ``supply_request``, ``supply_issue``, ``supply_cancel``,
  ``stock_set``, the hooks ``supply_approved``/``supply_refused``.
"""

from .approvals import booking_approved, booking_refused
from .bookings import (
    BookingConflict,
    BookingResult,
    booking_cancel,
    booking_create,
    series_cancel,
)
from .loans import (
    LoanUnavailable,
    loan_approved,
    loan_cancel,
    loan_checkout,
    loan_refused,
    loan_request,
    loan_return,
    overdue_reminders_send,
)
from .reminders import booking_reminders_send
from .supplies import (
    stock_set,
    supply_approved,
    supply_cancel,
    supply_issue,
    supply_refused,
    supply_request,
)

__all__ = [
    "LoanUnavailable",
    "loan_approved",
    "loan_cancel",
    "loan_checkout",
    "loan_refused",
    "loan_request",
    "loan_return",
    "overdue_reminders_send",
    "stock_set",
    "supply_approved",
    "supply_cancel",
    "supply_issue",
    "supply_refused",
    "supply_request",
    "BookingConflict",
    "BookingResult",
    "booking_approved",
    "booking_cancel",
    "booking_create",
    "booking_refused",
    "booking_reminders_send",
    "series_cancel",
]
