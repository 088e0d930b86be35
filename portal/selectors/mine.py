"""Reads of "My requests" and "My approvals".

- **My approvals** is the documents sign-off engine's list of steps waiting for the person
  (``documents.selectors.pending_steps_for``: their own steps, role steps of units their roles
  cover, and those of colleagues who delegated to them). Every app's approvals go through that
  engine (room bookings, petitions, meeting material, property moves, documents), so this one
  list holds them all; each row links to the page where the step is acted on (the document's
  page, or the chain's page). The kind of an approval is the model its chain approves.
- **My requests**: what the person asked for, from every provider registered with
  ``portal.requests.request_providers``; the room-booking provider is here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import selectors as documents_selectors

from ..choices import BookingStatus
from ..models import Booking, BookingSeries
from ..requests import RequestItem, RequestProvider, request_providers


# --- My approvals ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ApprovalKind:
    key: str  # "<app_label>.<model>" of the approved object
    label: str
    count: int
    content_type_id: int


def _kind_key(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def kind_label(content_type: ContentType) -> str:
    model = content_type.model_class()
    if model is None:
        return content_type.name
    return str(model._meta.verbose_name_plural)


def approvals_waiting(user) -> QuerySet:
    """Sign-off steps waiting for ``user`` now (the engine's own selector), oldest deadline
    first, with everything a row shows joined in."""
    return documents_selectors.pending_steps_for(user)


def approval_kinds(user) -> list[ApprovalKind]:
    """The kinds of approval waiting for ``user``, with how many of each (one query, plus one
    per content type never seen by this process)."""
    rows = (
        approvals_waiting(user)
        .order_by()
        .values("chain__target_content_type")
        .annotate(n=Count("id"))
    )
    kinds = []
    for row in rows:
        content_type = ContentType.objects.get_for_id(row["chain__target_content_type"])
        kinds.append(
            ApprovalKind(
                key=_kind_key(content_type),
                label=kind_label(content_type),
                count=row["n"],
                content_type_id=content_type.pk,
            )
        )
    return sorted(kinds, key=lambda k: k.label)


# What a row of the page shows. The engine's selector joins eight relations; planning that
# join costs PostgreSQL ~9 ms, more than reading the page. Content types come from Django's
# in-process cache instead (``with_content_types``).
PAGE_RELATIONS = ("chain__document", "chain__started_by", "chain__requester_unit", "role")


def approvals_of_kind(user, kind: ApprovalKind | None) -> QuerySet:
    queryset = approvals_waiting(user).select_related(None).select_related(*PAGE_RELATIONS)
    if kind is not None:
        queryset = queryset.filter(chain__target_content_type_id=kind.content_type_id)
    return queryset


def with_content_types(steps) -> list:
    """``steps`` with each chain's target content type set from the in-process cache."""
    steps = list(steps)
    for step in steps:
        chain = step.chain
        chain.target_content_type = ContentType.objects.get_for_id(chain.target_content_type_id)
    return steps


def people_by_id(ids) -> dict:
    """The people acted for on a page of approvals (one query)."""
    ids = [i for i in ids if i]
    return get_user_model().objects.in_bulk(ids) if ids else {}


# --- My requests: room bookings ----------------------------------------------------------------
def _rooms_singles(user, *, open_only: bool) -> QuerySet[Booking]:
    queryset = Booking.objects.filter(organiser_id=user.pk, series__isnull=True)
    if open_only:
        queryset = queryset.filter(status=BookingStatus.PENDING)
    return queryset


def _rooms_series(user, *, open_only: bool) -> QuerySet[BookingSeries]:
    queryset = BookingSeries.objects.filter(organiser_id=user.pk)
    if open_only:
        queryset = queryset.filter(bookings__status=BookingStatus.PENDING).distinct()
    return queryset


def _room_label(room) -> str:
    return f"{room.building.name} {room.floor} {room.name}".strip()


def _series_state(series) -> tuple[str, bool]:
    if series.n_pending:
        return str(BookingStatus.PENDING.label), True
    if series.n_confirmed:
        return str(BookingStatus.CONFIRMED.label), False
    if series.n_rejected:
        return str(BookingStatus.REJECTED.label), False
    return str(BookingStatus.CANCELLED.label), False


def room_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    """The bookings ``user`` made: each single booking, and each series once (its state: any
    occurrence waiting → waiting; else any confirmed → confirmed …). Two queries."""
    kind = str(_("Room booking"))
    items = []
    singles = (
        _rooms_singles(user, open_only=open_only)
        .select_related("room__building")
        .order_by("-created_at", "-id")[:limit]
    )
    for booking in singles:
        items.append(
            RequestItem(
                kind=kind,
                title=booking.title,
                number="",
                state=booking.get_status_display(),
                date=booking.created_at,
                url=booking.get_absolute_url(),
                is_open=booking.status == BookingStatus.PENDING,
                detail=_room_label(booking.room),
            )
        )
    series_rows = (
        _rooms_series(user, open_only=open_only)
        .select_related("room__building")
        .annotate(
            first_id=Min("bookings__id"),
            first_start=Min("bookings__start"),
            n_pending=Count("bookings", filter=Q(bookings__status=BookingStatus.PENDING)),
            n_confirmed=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)),
            n_rejected=Count("bookings", filter=Q(bookings__status=BookingStatus.REJECTED)),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    for series in series_rows:
        if series.first_id is None:
            continue
        state, is_open = _series_state(series)
        items.append(
            RequestItem(
                kind=kind,
                title=series.title,
                number="",
                state=state,
                date=series.created_at,
                url=Booking(pk=series.first_id).get_absolute_url(),
                is_open=is_open,
                detail=_("%(room)s, repeating (%(freq)s)")
                % {"room": _room_label(series.room), "freq": series.get_freq_display()},
            )
        )
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items[:limit]


def room_request_count(user, *, open_only: bool = False) -> int:
    singles = _rooms_singles(user, open_only=open_only).count()
    series = _rooms_series(user, open_only=open_only).filter(bookings__isnull=False).distinct()
    return singles + series.count()


request_providers.register(
    RequestProvider(
        key="rooms",
        label=gettext_lazy("Room bookings"),
        items=room_request_items,
        count=room_request_count,
        order=10,
    )
)
