"""The sign-off engine's outcome for restricted rooms (``documents.hooks.signoff_hooks``),
called inside the transaction that records it; idempotent (conditional updates)."""

from __future__ import annotations

from ..choices import BookingStatus
from ..models import Booking
from .notices import decision_notify, invitations_send


def _pending(chain) -> list[Booking]:
    target_id = chain.target_object_id
    if chain.target_content_type.model == "bookingseries":
        queryset = Booking.objects.filter(series_id=target_id)
    else:
        queryset = Booking.objects.filter(pk=target_id)
    return list(
        queryset.filter(status=BookingStatus.PENDING)
        .select_related("room__building", "organiser")
        .order_by("start")
    )


def _decide(chain, status: str) -> list[Booking]:
    bookings = _pending(chain)
    changed = []
    for booking in bookings:
        if Booking.objects.filter(pk=booking.pk, status=BookingStatus.PENDING).update(
            status=status
        ):
            booking.status = status
            changed.append(booking)
    return changed


def booking_approved(*, document, chain, outcome, comment, actor):
    changed = _decide(chain, BookingStatus.CONFIRMED)
    if changed:
        decision_notify(bookings=changed, approved=True, comment=comment)
        invitations_send(bookings=changed, attendees=list(changed[0].attendees.all()))


def booking_refused(*, document, chain, outcome, comment, actor):
    changed = _decide(chain, BookingStatus.REJECTED)
    if changed:
        decision_notify(bookings=changed, approved=False, comment=comment)
