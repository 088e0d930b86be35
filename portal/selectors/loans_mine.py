"""The "My requests" providers of equipment loans and supplies (``portal.requests``): what a
person asked for, newest first, one query per call."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import LoanStatus, SupplyStatus
from ..models import Loan, SupplyRequest
from ..requests import RequestItem, RequestProvider, request_providers

LOAN_OPEN = (LoanStatus.PENDING, LoanStatus.APPROVED, LoanStatus.CHECKED_OUT)
SUPPLY_OPEN = (SupplyStatus.PENDING, SupplyStatus.APPROVED)


def _loans(user, open_only: bool):
    queryset = Loan.objects.filter(requester_id=user.pk)
    return queryset.filter(status__in=LOAN_OPEN) if open_only else queryset


def loan_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    kind = str(_("Equipment loan"))
    return [
        RequestItem(
            kind=kind,
            title=loan.item.name,
            number=loan.number,
            state=loan.get_status_display(),
            date=loan.created_at,
            url=loan.get_absolute_url(),
            is_open=loan.status in LOAN_OPEN,
            detail=f"{loan.start.isoformat()} – {loan.end.isoformat()}",
        )
        for loan in _loans(user, open_only)
        .select_related("item")
        .order_by("-created_at", "-id")[:limit]
    ]


def loan_request_count(user, *, open_only: bool = False) -> int:
    return _loans(user, open_only).count()


def _supplies(user, open_only: bool):
    queryset = SupplyRequest.objects.filter(requester_id=user.pk)
    return queryset.filter(status__in=SUPPLY_OPEN) if open_only else queryset


def supply_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    kind = str(_("Supplies"))
    rows = _supplies(user, open_only).select_related("item", "store").order_by("-created_at", "-id")
    return [
        RequestItem(
            kind=kind,
            title=f"{row.item.name} × {row.quantity}",
            number=row.number,
            state=row.get_status_display(),
            date=row.created_at,
            url=row.get_absolute_url(),
            is_open=row.status in SUPPLY_OPEN,
            detail=row.store.name,
        )
        for row in rows[:limit]
    ]


def supply_request_count(user, *, open_only: bool = False) -> int:
    return _supplies(user, open_only).count()


request_providers.register(
    RequestProvider(
        key="loans",
        label=gettext_lazy("Equipment loans"),
        items=loan_request_items,
        count=loan_request_count,
        order=30,
    )
)
request_providers.register(
    RequestProvider(
        key="supplies",
        label=gettext_lazy("Supplies"),
        items=supply_request_items,
        count=supply_request_count,
        order=40,
    )
)
