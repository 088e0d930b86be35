"""Stock-take (盤點): a count sheet per location; each scan records an item found, an item
of another sheet or unknown as extra; closing marks the rest missing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Organization

from .. import selectors
from ..choices import HELD_STATUSES, StockTakeResult, StockTakeStatus
from ..models import Item, StockTake, StockTakeEntry


@transaction.atomic
def stocktake_open(*, actor, agency: Organization, location: str) -> StockTake:
    if actor is not None and not selectors.is_officer(actor, agency):
        raise PermissionDenied
    if not location.strip():
        raise ValidationError({"location": _("Name the location to count.")})
    sheet = StockTake(agency=agency, location=location.strip(), created_by=actor)
    sheet.full_clean()
    sheet.save()
    return sheet


def sheet_items(sheet: StockTake):
    return Item.objects.filter(
        agency_id=sheet.agency_id, location=sheet.location, status__in=HELD_STATUSES
    ).order_by("number")


def _item_from_scan(sheet: StockTake, scanned: str) -> Item | None:
    """A scan is the item page's URL (from the QR label) or a property number."""
    text = scanned.strip().rstrip("/")
    if "/property/items/" in text:
        tail = text.rsplit("/property/items/", 1)[1].split("/")[0]
        if tail.isdigit():
            return Item.objects.filter(pk=int(tail), agency_id=sheet.agency_id).first()
    return Item.objects.filter(agency_id=sheet.agency_id, number=text).first()


@transaction.atomic
def stocktake_scan(*, sheet: StockTake, actor, scanned: str) -> StockTakeEntry:
    locked = StockTake.objects.select_for_update().get(pk=sheet.pk)
    if actor is not None and not selectors.is_officer(actor, locked.agency_id):
        raise PermissionDenied
    if locked.status != StockTakeStatus.OPEN:
        raise ValidationError({"scanned": _("This count sheet is closed.")})
    item = _item_from_scan(locked, scanned)
    on_sheet = item is not None and sheet_items(locked).filter(pk=item.pk).exists()
    result = StockTakeResult.FOUND if on_sheet else StockTakeResult.EXTRA
    try:
        with transaction.atomic():
            return StockTakeEntry.objects.create(
                stock_take=locked,
                item=item,
                result=result,
                scanned=scanned[:200],
                recorded_by=actor,
            )
    except IntegrityError:
        return StockTakeEntry.objects.get(stock_take=locked, item=item)


@transaction.atomic
def stocktake_close(*, sheet: StockTake, actor) -> StockTake:
    locked = StockTake.objects.select_for_update().get(pk=sheet.pk)
    if actor is not None and not selectors.is_officer(actor, locked.agency_id):
        raise PermissionDenied
    if locked.status != StockTakeStatus.OPEN:
        return locked
    seen = set(locked.entries.exclude(item=None).values_list("item_id", flat=True))
    for item in sheet_items(locked).exclude(pk__in=seen):
        StockTakeEntry.objects.create(
            stock_take=locked, item=item, result=StockTakeResult.MISSING, recorded_by=actor
        )
    locked.status = StockTakeStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    return locked


def discrepancies(sheet: StockTake):
    return sheet.entries.exclude(result=StockTakeResult.FOUND).select_related("item")
