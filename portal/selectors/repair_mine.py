"""The "My requests" providers of IT repair and procurement (``portal.requests``): the tickets
and procurement requests a person filed themselves, newest first, one query per call."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ProcurementRequest, ProcurementStatus, Ticket
from ..models.repair import OPEN_STATUSES
from ..requests import RequestItem, RequestProvider, request_providers


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _tickets(user, open_only: bool):
    if not _signed_in(user):
        return Ticket.objects.none()
    queryset = Ticket.objects.filter(requester_id=user.pk)
    return queryset.filter(status__in=OPEN_STATUSES) if open_only else queryset


def ticket_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    kind = str(_("IT repair"))
    rows = _tickets(user, open_only).select_related("category").order_by("-created_at", "-id")
    return [
        RequestItem(
            kind=kind,
            title=ticket.category.name,
            number=ticket.number,
            state=ticket.get_status_display(),
            date=ticket.created_at,
            url=ticket.get_absolute_url(),
            is_open=ticket.status in OPEN_STATUSES,
            detail=ticket.location,
        )
        for ticket in rows[:limit]
    ]


def ticket_request_count(user, *, open_only: bool = False) -> int:
    return _tickets(user, open_only).count()


def _procurements(user, open_only: bool):
    if not _signed_in(user):
        return ProcurementRequest.objects.none()
    queryset = ProcurementRequest.objects.filter(requester_id=user.pk)
    return queryset.filter(status=ProcurementStatus.PENDING) if open_only else queryset


def procurement_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    kind = str(_("Procurement"))
    rows = _procurements(user, open_only).order_by("-created_at", "-id")
    return [
        RequestItem(
            kind=kind,
            title=f"{row.item} × {row.quantity}",
            number=row.number,
            state=row.get_status_display(),
            date=row.created_at,
            url=row.get_absolute_url(),
            is_open=row.status == ProcurementStatus.PENDING,
            detail=f"NT${row.estimated_amount:,.0f}",
        )
        for row in rows[:limit]
    ]


def procurement_request_count(user, *, open_only: bool = False) -> int:
    return _procurements(user, open_only).count()


request_providers.register(
    RequestProvider(
        key="repair",
        label=gettext_lazy("IT repair"),
        items=ticket_request_items,
        count=ticket_request_count,
        order=50,
    )
)
request_providers.register(
    RequestProvider(
        key="procurement",
        label=gettext_lazy("Procurement"),
        items=procurement_request_items,
        count=procurement_request_count,
        order=60,
    )
)
