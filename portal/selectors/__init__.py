"""Reads of the employee portal, one module per service. The room-booking reads are
re-exported here (``selectors.rooms(user)``); the other services' modules are imported by name
(``from portal.selectors import leave``)."""

from .bookings import (  # noqa: F401
    Busy,
    booking_get,
    bookings_visible_to,
    buildings,
    equipment_choices,
    free_rooms,
    managed_q,
    manages_room,
    may_cancel,
    my_bookings,
    occupancy,
    pending_for,
    room_filter,
    room_get,
    rooms,
)
