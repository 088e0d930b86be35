"""Reads of consumables and supplies.

- **Catalogue**: every active member of staff sees the available items and the stock of the
  open stores.
- **Requests**: a person sees their own; the **store keepers** (``portal.store_keeper``
  covering the store's managing unit) see every request of their stores; the head or a
  deputy of the requester's unit (or a unit above) sees the unit's requests.
- **Monthly issue report**: what was issued per unit and item in a month, from the stores a
  store keeper keeps (unit heads: their units only).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts import authz
from core.i18n import bilingual

from ..choices import SupplyStatus
from ..models import Stock, Store, SupplyItem, SupplyRequest
from ..roles import STORE_KEEPER
from .loans import _active, headed_unit_ids


def stores(user) -> QuerySet[Store]:
    if not _active(user):
        return Store.objects.none()
    return Store.objects.filter(is_active=True).order_by("code")


def items(user) -> QuerySet[SupplyItem]:
    if not _active(user):
        return SupplyItem.objects.none()
    return SupplyItem.objects.filter(is_active=True)


def stock(user) -> QuerySet[Stock]:
    if not _active(user):
        return Stock.objects.none()
    return Stock.objects.filter(store__is_active=True, item__is_active=True).select_related(
        "store", "item"
    )


def keeps_store(user, store: Store) -> bool:
    return _active(user) and authz.has_role(user, STORE_KEEPER, unit=store.managing_unit_id)


def kept_q(user, prefix: str = "store__") -> Q:
    return authz.scope_q(user, STORE_KEEPER, field=f"{prefix}managing_unit")


def is_store_keeper(user) -> bool:
    return _active(user) and Store.objects.filter(kept_q(user, prefix="")).exists()


def requests_visible_to(user) -> QuerySet[SupplyRequest]:
    if not _active(user):
        return SupplyRequest.objects.none()
    return SupplyRequest.objects.filter(
        Q(requester=user) | kept_q(user) | Q(unit_id__in=headed_unit_ids(user))
    ).select_related("store", "item", "requester", "unit")


def request_get(user, pk) -> SupplyRequest:
    return requests_visible_to(user).get(pk=pk)


def my_requests(user) -> QuerySet[SupplyRequest]:
    if not _active(user):
        return SupplyRequest.objects.none()
    return SupplyRequest.objects.filter(requester=user).select_related("store", "item")


def desk(user) -> QuerySet[SupplyRequest]:
    """Approved requests of the stores ``user`` keeps, waiting to be issued."""
    if not _active(user):
        return SupplyRequest.objects.none()
    return (
        SupplyRequest.objects.filter(kept_q(user), status=SupplyStatus.APPROVED)
        .select_related("store", "item", "requester", "unit")
        .order_by("created_at", "pk")
    )


def may_read_report(user) -> bool:
    return is_store_keeper(user) or bool(headed_unit_ids(user))


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(following, dt.time.min))


def issue_report(user, month: dt.date) -> list[dict]:
    """Rows ``{unit, item, unit_label, quantity, requests}`` issued in ``month`` (Asia/Taipei)
    that ``user`` may read, ordered by unit and item (one query)."""
    if not _active(user):
        return []
    start, end = month_bounds(month)
    scope = kept_q(user) | Q(unit_id__in=headed_unit_ids(user))
    rows = (
        SupplyRequest.objects.filter(
            scope, status=SupplyStatus.ISSUED, issued_at__gte=start, issued_at__lt=end
        )
        .values(
            "unit__code",
            "unit__name_zh",
            "unit__name_en",
            "item__code",
            "item__name_zh",
            "item__name_en",
            "item__unit_label",
        )
        .annotate(quantity=Sum("issued_quantity"), requests=Count("pk"))
        .order_by("unit__code", "item__code")
    )
    result = []
    for row in rows:
        row["unit_name"] = bilingual(row["unit__name_zh"] or "", row["unit__name_en"] or "")
        row["item_name"] = bilingual(row["item__name_zh"], row["item__name_en"])
        result.append(row)
    return result
