"""Forms of the employee portal, one module per service."""

from .rooms import AttendeesField, BookingForm, CancelForm, GridForm, RoomFilterForm  # noqa: F401
