"""Consumables and supplies: asking, the approval outcome, issuing, cancelling.

``supply_request`` checks the store and item (open, available, stocked there), the quantity
(1 to the item's most per request) and the purpose, and starts the approval: the active chain
template of purpose ``portal.supplies`` (data, e.g. the requester's unit head), else the store
keepers of the store's managing unit. Stock is not reserved by a request.

``supply_issue`` (a store keeper of the store) decrements the stock with one conditional
``UPDATE … SET quantity = quantity - n WHERE quantity >= n``: of two keepers issuing the last
boxes at once, one is refused; the ``portal_stock_not_negative`` check refuses a negative
stock whatever the path. When the stock falls to its low-stock threshold or below (from
above it), the store keepers of the store's managing unit — the Secretariat (秘書處) — get
a notice.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import roc_year
from core.sequences import next_value
from core.services import audit_record
from core.text import clean_line
from documents import selectors as documents_selectors
from documents.services import signoff_cancel, signoff_start

from ..choices import SupplyStatus
from ..models import Stock, Store, SupplyItem, SupplyRequest
from ..roles import STORE_KEEPER
from ..selectors import supplies as selectors
from .common import active, approval_steps, whole
from .loans_notices import low_stock_notify, supply_decided_notify, supply_issued_notify

PURPOSE = "portal.supplies"
PURPOSE_MAX = 300


def supply_request(
    *, actor, store: Store, item: SupplyItem, quantity: int, purpose: str = "", submit_key=None
) -> SupplyRequest:
    """Ask for ``quantity`` of ``item`` from ``store``; ``ValidationError`` naming the field.
    The same ``submit_key`` (the form's) sent again returns the request it made."""
    if not active(actor):
        raise PermissionDenied
    if submit_key is not None:
        earlier = SupplyRequest.objects.filter(requester=actor, submit_key=submit_key).first()
        if earlier is not None:
            return earlier
    if not selectors.stores(actor).filter(pk=store.pk).exists():
        raise ValidationError({"store": [_("Choose an open store.")]})
    if not selectors.stock(actor).filter(store=store, item=item).exists():
        raise ValidationError({"item": [_("This store does not keep this item.")]})
    quantity = whole(quantity, "quantity")
    if quantity < 1 or quantity > item.max_per_request:
        raise ValidationError(
            {"quantity": [_("Ask for 1 to %(max)d.") % {"max": item.max_per_request}]}
        )
    purpose = clean_line(purpose)
    if not purpose:
        raise ValidationError({"purpose": [_("Say what it is for.")]})
    if len(purpose) > PURPOSE_MAX:
        raise ValidationError(
            {"purpose": [_("At most %(max)d characters.") % {"max": PURPOSE_MAX}]}
        )
    approval = approval_steps(
        purpose=PURPOSE, actor=actor, fallback_unit=store.managing_unit, fallback_role=STORE_KEEPER
    )
    with transaction.atomic():
        year = roc_year(timezone.localdate())
        request = SupplyRequest.objects.create(
            number="S{}-{:05d}".format(year, next_value(scope="portal:supply", year=year)),
            requester=actor,
            unit=actor.organization,
            store=store,
            item=item,
            quantity=quantity,
            purpose=purpose,
            submit_key=submit_key,
        )
        signoff_start(
            target=request,
            started_by=actor,
            subject=_("Supply request: %(quantity)d × %(item)s")
            % {"quantity": quantity, "item": item.name},
            steps=approval,
        )
    return request


def _decide(chain, status: str):
    request = (
        SupplyRequest.objects.select_related("item", "store", "requester")
        .filter(pk=chain.target_object_id)
        .first()
    )
    if request is None:
        return None
    if not SupplyRequest.objects.filter(pk=request.pk, status=SupplyStatus.PENDING).update(
        status=status
    ):
        return None
    request.status = status
    return request


def supply_approved(*, document, chain, outcome, comment, actor):
    request = _decide(chain, SupplyStatus.APPROVED)
    if request is not None:
        supply_decided_notify(request=request, approved=True, comment=comment)


def supply_refused(*, document, chain, outcome, comment, actor):
    request = _decide(chain, SupplyStatus.REJECTED)
    if request is not None:
        supply_decided_notify(request=request, approved=False, comment=comment)


@transaction.atomic
def supply_issue(*, request: SupplyRequest, actor, quantity: int | None = None) -> SupplyRequest:
    """Issue an approved request (``quantity``: what is handed over, at most what was asked;
    default all of it). ``ValidationError`` on ``quantity`` when the store has too few."""
    if not active(actor):
        raise PermissionDenied
    locked = (
        SupplyRequest.objects.select_for_update().select_related("store", "item").get(pk=request.pk)
    )
    if not selectors.keeps_store(actor, locked.store):
        raise PermissionDenied
    if locked.status != SupplyStatus.APPROVED:
        raise ValidationError(_("This request is not waiting to be issued."))
    quantity = locked.quantity if quantity is None else whole(quantity, "quantity")
    if quantity < 1 or quantity > locked.quantity:
        raise ValidationError({"quantity": [_("Issue 1 to %(max)d.") % {"max": locked.quantity}]})
    taken = Stock.objects.filter(
        store=locked.store, item=locked.item, quantity__gte=quantity
    ).update(quantity=F("quantity") - quantity, updated_at=timezone.now())
    if not taken:
        left = (
            Stock.objects.filter(store=locked.store, item=locked.item)
            .values_list("quantity", flat=True)
            .first()
            or 0
        )
        raise ValidationError({"quantity": [_("Only %(n)d in stock.") % {"n": left}]})
    stock = Stock.objects.select_related("store", "item").get(store=locked.store, item=locked.item)
    SupplyRequest.objects.filter(pk=locked.pk).update(
        status=SupplyStatus.ISSUED,
        issued_quantity=quantity,
        issued_at=timezone.now(),
        issued_by=actor,
    )
    locked.refresh_from_db()
    audit_record(
        action="update",
        obj=locked,
        actor=actor,
        changes={"status": [SupplyStatus.APPROVED, SupplyStatus.ISSUED]},
        message=f"issued {quantity}; stock left {stock.quantity}",
    )
    supply_issued_notify(request=locked)
    if stock.quantity <= stock.low_threshold < stock.quantity + quantity:
        low_stock_notify(stock=stock)
    return locked


@transaction.atomic
def supply_cancel(*, request: SupplyRequest, actor) -> SupplyRequest:
    locked = SupplyRequest.objects.select_for_update().get(pk=request.pk)
    if not active(actor) or locked.requester_id != actor.pk:
        raise PermissionDenied
    if locked.status not in (SupplyStatus.PENDING, SupplyStatus.APPROVED):
        raise ValidationError(_("Only a request not yet issued can be cancelled."))
    old = locked.status
    SupplyRequest.objects.filter(pk=locked.pk).update(status=SupplyStatus.CANCELLED)
    locked.status = SupplyStatus.CANCELLED
    audit_record(action="update", obj=locked, actor=actor, changes={"status": [old, locked.status]})
    chain = documents_selectors.open_chain_for(locked)
    if chain is not None:
        signoff_cancel(chain=chain, actor=chain.started_by, reason=_("The request was cancelled."))
    return locked


@transaction.atomic
def stock_set(
    *, store: Store, item: SupplyItem, quantity: int, actor, low_threshold: int | None = None
) -> Stock:
    """Set a store's stock of an item after a delivery or a count (a store keeper)."""
    if not selectors.keeps_store(actor, store):
        raise PermissionDenied
    quantity = whole(quantity, "quantity")
    if quantity < 0:
        raise ValidationError({"quantity": [_("Stock cannot be negative.")]})
    stock, _created = Stock.objects.select_for_update().get_or_create(store=store, item=item)
    stock.quantity = quantity
    if low_threshold is not None:
        stock.low_threshold = whole(low_threshold, "low_threshold")
    stock.save()
    return stock
