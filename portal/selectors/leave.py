"""Reads of leave: who sees which request and balance.

A person sees their own requests and balances, and the requests they are the deputy of; the
head (or a deputy head) of a unit sees the requests of the unit's members (the team calendar);
a holder of ``portal.leave_officer`` (人事) sees those of the units the role covers. Anyone
else gets nothing (a 404 on the page and the API).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import authz
from accounts.models import UnitOfficer, User

from ..choices import LeaveStatus
from ..models import LeaveBalance, LeaveRequest, LeaveType
from ..requests import RequestItem, RequestProvider, request_providers
from ..roles import LEAVE_OFFICER

HOLDING = (LeaveStatus.AWAITING_DEPUTY, LeaveStatus.PENDING, LeaveStatus.APPROVED)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def headed_unit_ids(user) -> list[int]:
    if not _signed_in(user):
        return []
    return list(UnitOfficer.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))


def requests_visible_to(user) -> QuerySet[LeaveRequest]:
    if not _signed_in(user):
        return LeaveRequest.objects.none()
    visible = Q(user_id=user.pk) | Q(deputy_id=user.pk)
    units = headed_unit_ids(user)
    if units:
        visible |= Q(user__organization_id__in=units)
    visible |= authz.scope_q(user, LEAVE_OFFICER, field="user__organization")
    return (
        LeaveRequest.objects.filter(visible)
        .select_related("user__organization", "leave_type", "deputy")
        .distinct()
    )


def request_get(user, pk) -> LeaveRequest:
    return get_object_or_404(requests_visible_to(user), pk=pk)


def my_requests(user) -> QuerySet[LeaveRequest]:
    return requests_visible_to(user).filter(user_id=user.pk)


def deputy_waiting(user) -> QuerySet[LeaveRequest]:
    return requests_visible_to(user).filter(deputy_id=user.pk, status=LeaveStatus.AWAITING_DEPUTY)


def balances(user, year: int | None = None) -> QuerySet[LeaveBalance]:
    if not _signed_in(user):
        return LeaveBalance.objects.none()
    rows = LeaveBalance.objects.filter(user_id=user.pk).select_related("leave_type")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "leave_type__sort_order", "leave_type__code")


def leave_types() -> QuerySet[LeaveType]:
    return LeaveType.objects.filter(is_active=True).order_by("sort_order", "code")


def deputy_choices(user) -> QuerySet[User]:
    """Who may deputise for ``user``: the other active members of their unit."""
    if not _signed_in(user) or user.organization_id is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, organization_id=user.organization_id)
        .exclude(pk=user.pk)
        .order_by("employee_number", "username")
    )


def team_absences(user, first: dt.date, last: dt.date) -> QuerySet[LeaveRequest]:
    """The leave (held or approved) of the members of the units ``user`` heads, touching the
    days ``first`` to ``last``."""
    units = headed_unit_ids(user)
    if not units:
        return LeaveRequest.objects.none()
    lo = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return (
        LeaveRequest.objects.filter(
            user__organization_id__in=units,
            status__in=(LeaveStatus.PENDING, LeaveStatus.APPROVED),
            start__lt=hi,
            end__gt=lo,
        )
        .select_related("user", "leave_type")
        .order_by("start", "user__username")
    )


def may_cancel(user, request: LeaveRequest) -> bool:
    return (
        _signed_in(user)
        and request.user_id == user.pk
        and request.holds_balance
        and request.start > timezone.now()
    )


# --- "My requests" (portal.requests) ---------------------------------------------------------

OPEN = (LeaveStatus.AWAITING_DEPUTY, LeaveStatus.PENDING)


def _mine(user, *, open_only: bool) -> QuerySet[LeaveRequest]:
    if not _signed_in(user):
        return LeaveRequest.objects.none()
    rows = LeaveRequest.objects.filter(user_id=user.pk)
    if open_only:
        rows = rows.filter(status__in=OPEN)
    return rows


def leave_request_items(user, *, limit: int, open_only: bool = False) -> list[RequestItem]:
    """The leave ``user`` asked for, newest first (one query)."""
    kind = str(_("Leave"))
    rows = _mine(user, open_only=open_only).select_related("leave_type")
    return [
        RequestItem(
            kind=kind,
            title=leave.leave_type.name,
            number=leave.number,
            state=leave.get_status_display(),
            date=leave.created_at,
            url=leave.get_absolute_url(),
            is_open=leave.status in OPEN,
            detail="{} – {}".format(
                timezone.localtime(leave.start).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(leave.end).strftime("%Y-%m-%d %H:%M"),
            ),
        )
        for leave in rows.order_by("-created_at", "-id")[:limit]
    ]


def leave_request_count(user, *, open_only: bool = False) -> int:
    return _mine(user, open_only=open_only).count()


request_providers.register(
    RequestProvider(
        key="leave",
        label=gettext_lazy("Leave"),
        items=leave_request_items,
        count=leave_request_count,
        order=20,
    )
)
