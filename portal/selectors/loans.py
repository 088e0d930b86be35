"""Reads of equipment loans.

- **Items**: every active member of staff sees the lendable items.
- **Loans**: a person sees their own; the item's **loan managers** (``portal.loan_manager``
  covering the item's managing unit) see every loan of it; the **head or a deputy** of the
  requester's unit (or a unit above it) sees the unit's loans. Anyone else: a 404.
- **Availability**: how many of an item are free on every day of a range (one query).

Pages, the API, the admin and the services use these functions.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils.module_loading import import_string

from accounts import authz
from accounts.models import UnitOfficer
from core.models import Organization

from ..choices import LoanStatus
from ..models import LOAN_HOLDING_STATUSES, Loan, LoanItem
from ..roles import LOAN_MANAGER


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def headed_unit_ids(user) -> set[int]:
    """The units ``user`` heads or deputises, with every unit below them (remembered on the
    user object for the request)."""
    if not _active(user):
        return set()
    cached = getattr(user, "_portal_headed_units", None)
    if cached is not None:
        return cached
    ids = set(UnitOfficer.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))
    frontier = list(ids)
    while frontier:
        frontier = list(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    user._portal_headed_units = ids
    return ids


def items(user) -> QuerySet[LoanItem]:
    if not _active(user):
        return LoanItem.objects.none()
    return LoanItem.objects.filter(is_active=True).select_related("managing_unit")


def item_get(user, pk) -> LoanItem:
    return items(user).get(pk=pk)


def manages_item(user, item: LoanItem) -> bool:
    return _active(user) and authz.has_role(user, LOAN_MANAGER, unit=item.managing_unit_id)


def is_loan_manager(user) -> bool:
    return (
        _active(user)
        and LoanItem.objects.filter(
            authz.scope_q(user, LOAN_MANAGER, field="managing_unit")
        ).exists()
    )


def managed_q(user) -> Q:
    return authz.scope_q(user, LOAN_MANAGER, field="item__managing_unit")


def loans_visible_to(user) -> QuerySet[Loan]:
    if not _active(user):
        return Loan.objects.none()
    return Loan.objects.filter(
        Q(requester=user) | managed_q(user) | Q(unit_id__in=headed_unit_ids(user))
    ).select_related("item", "requester", "unit")


def loan_get(user, pk) -> Loan:
    """A loan ``user`` may see; ``Loan.DoesNotExist`` otherwise."""
    return loans_visible_to(user).get(pk=pk)


def my_loans(user) -> QuerySet[Loan]:
    if not _active(user):
        return Loan.objects.none()
    return Loan.objects.filter(requester=user).select_related("item").order_by("-start", "-pk")


def desk(user, *, status: str | None = None) -> QuerySet[Loan]:
    """The loans of the items ``user`` manages: to check out (approved), out, or ``status``."""
    if not _active(user):
        return Loan.objects.none()
    statuses = [status] if status else [LoanStatus.APPROVED, LoanStatus.CHECKED_OUT]
    return (
        Loan.objects.filter(managed_q(user), status__in=statuses)
        .select_related("item", "requester", "unit")
        .order_by("end", "pk")
    )


def lent(item: LoanItem, start: dt.date, end: dt.date, *, exclude_pk=None) -> int:
    """The largest number of ``item`` held on any one day of ``[start, end]`` (one query)."""
    rows = list(
        Loan.objects.filter(
            item=item, status__in=LOAN_HOLDING_STATUSES, start__lte=end, end__gte=start
        )
        .exclude(pk=exclude_pk)
        .values_list("start", "end", "quantity")
    )
    if not rows:
        return 0
    peak = 0
    day = max(start, min(r[0] for r in rows))
    last = min(end, max(r[1] for r in rows))
    while day <= last:
        peak = max(peak, sum(q for s, e, q in rows if s <= day <= e))
        day += dt.timedelta(days=1)
    return peak


def available(item: LoanItem, start: dt.date, end: dt.date) -> int:
    return max(item.quantity - lent(item, start, end), 0)


def lent_now(item_ids, day: dt.date) -> dict[int, int]:
    """How many of each item are held on ``day`` (one query)."""
    rows = (
        Loan.objects.filter(
            item_id__in=list(item_ids),
            status__in=LOAN_HOLDING_STATUSES,
            start__lte=day,
            end__gte=day,
        )
        .values("item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["item_id"]: row["total"] for row in rows}


def asset_of(item: LoanItem):
    """The seam to the asset register: ``settings.PORTAL_LOANS_ASSET_LOOKUP`` (a dotted path
    to a callable taking a property number, returning a description or None) resolves an
    item's ``asset_number``; unset (the default), the portal's own catalogue stands alone."""
    path = settings.PORTAL_LOANS_ASSET_LOOKUP
    if not path or not item.asset_number:
        return None
    return import_string(path)(item.asset_number)
