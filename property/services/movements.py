"""Movements: numbered, approved through a chain template, applied to the items and posted to
the ledger when they complete. History is never edited.

Life of a movement: ``draft`` → ``movement_submit`` (``documents.services.approval_start``,
purpose ``property.<kind>``) → ``submitted`` → the chain's outcome (hooks registered in
``apps.py``): approved → a transfer or hand-over waits in ``awaiting_acceptance`` until the
receiver accepts (``movement_accept``) or refuses (``movement_refuse``); every other kind
``completed`` at once. Returned by a signer, or the chain cancelled (``movement_withdraw``, or
on the documents side: the engine's cancel reaches the same hook; ``movements_settle_cancelled``
stays as a safety net, on the movement's page and hourly) → the movement is put back:
``returned`` (a hand-over: ``draft`` again, for the unit head to assign anew) and its items
released from their open-movement status (``transfer_pending``, ``scrap_review``);
submitting a returned movement again re-checks and re-holds its items.

Preconditions (each raises ``ValidationError`` naming the field):

- an item is in at most one open movement; one under scrap review (or being transferred) cannot
  be moved otherwise;
- only items in use are transferred, revalued, scrapped or lost; only scrapped items are sold;
- scrapping or writing off before the end of the useful life needs a reason class that
  ``allows_early``.

Who may start one (``actor=``; ``None`` is a trusted internal caller): acquisitions, value
changes and sales — a property officer of the agency; transfers, scrap and loss — the
custodian of every item, the head of the items' user unit, or a property officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.dates import roc_year
from core.models import Organization
from core.sequences import next_value
from core.services import audit_record
from documents.choices import ChainStatus
from documents.models import SignOffChain
from documents.services import approval_start, signoff_cancel
from notifications.choices import NoticeKind
from notifications.recipients import RoleHolders, UnitOfficers
from notifications.services import notice_resolve, notify

from .. import depreciation, selectors
from ..choices import (
    OPEN_MOVEMENT_STATUSES,
    ItemStatus,
    MovementKind,
    MovementStatus,
    PostingCategory,
)
from ..constants import PURPOSE_PREFIX, ROLE_OFFICER
from ..models import Classification, Item, Movement, MovementLine, Posting, ScrapReason

KIND_LETTER = {
    MovementKind.ACQUISITION: "A",
    MovementKind.TRANSFER: "T",
    MovementKind.HANDOVER: "H",
    MovementKind.VALUE_INCREASE: "V",
    MovementKind.VALUE_DECREASE: "W",
    MovementKind.SCRAP: "S",
    MovementKind.LOSS: "L",
    MovementKind.SALE: "X",
}

# The status an item takes while a movement of each kind is open.
OPEN_ITEM_STATUS = {
    MovementKind.TRANSFER: ItemStatus.TRANSFER_PENDING,
    MovementKind.HANDOVER: ItemStatus.TRANSFER_PENDING,
    MovementKind.SCRAP: ItemStatus.SCRAP_REVIEW,
    MovementKind.LOSS: ItemStatus.SCRAP_REVIEW,
}
ITEM_KINDS_NEED_IN_USE = (
    MovementKind.TRANSFER,
    MovementKind.HANDOVER,
    MovementKind.VALUE_INCREASE,
    MovementKind.VALUE_DECREASE,
    MovementKind.SCRAP,
    MovementKind.LOSS,
)


def _today() -> dt.date:
    return timezone.localdate()


def _number(*, agency: Organization, kind: str, day: dt.date) -> str:
    year = roc_year(day)
    serial = next_value(scope=f"property:movement:{agency.pk}", year=year)
    return f"{agency.code[:6]}{KIND_LETTER[kind]}{year:03d}{serial:06d}"


def _item_number(*, agency: Organization, classification: Classification) -> tuple[int, str]:
    serial = next_value(scope=f"property:item:{agency.pk}:{classification.code}", year=0)
    return serial, f"{classification.code}-{serial:07d}"


def _may_move(actor, items: Sequence[Item]) -> bool:
    """Custodian of every item, head of every item's user unit, or officer of the agency."""
    if actor is None:
        return True
    headed = selectors.headed_unit_ids(actor)
    for item in items:
        if item.custodian_id == actor.pk or item.user_unit_id in headed:
            continue
        if selectors.is_officer(actor, item.agency_id):
            continue
        return False
    return True


def _require_officer(actor, agency) -> None:
    if actor is not None and not selectors.is_officer(actor, agency):
        raise PermissionDenied


def _lock_items(item_ids) -> list[Item]:
    return list(
        Item.objects.select_for_update().filter(pk__in=sorted(set(item_ids))).order_by("pk")
    )


def _check_items(kind: str, items: list[Item], effective: dt.date, scrap_reason) -> None:
    if not items:
        raise ValidationError({"items": _("Choose at least one item.")})
    agencies = {item.agency_id for item in items}
    if len(agencies) > 1:
        raise ValidationError({"items": _("All items of a movement belong to one agency.")})
    busy = set(
        MovementLine.objects.filter(
            item__in=items, movement__status__in=OPEN_MOVEMENT_STATUSES
        ).values_list("item__number", flat=True)
    )
    if busy:
        raise ValidationError(
            {
                "items": _("Already in an open movement: %(numbers)s")
                % {"numbers": ", ".join(sorted(busy))}
            }
        )
    for item in items:
        if kind in ITEM_KINDS_NEED_IN_USE and item.status != ItemStatus.IN_USE:
            raise ValidationError(
                {
                    "items": _("%(number)s is %(status)s and cannot be moved.")
                    % {"number": item.number, "status": item.get_status_display()}
                }
            )
        if kind == MovementKind.SALE and item.status != ItemStatus.SCRAPPED:
            raise ValidationError(
                {
                    "items": _("Only scrapped items are sold: %(number)s is not.")
                    % {"number": item.number}
                }
            )
    if kind in (MovementKind.SCRAP, MovementKind.LOSS):
        if scrap_reason is None:
            raise ValidationError({"scrap_reason": _("Choose the reason class.")})
        for item in items:
            end = depreciation.months_elapsed(item.acquired_on, effective, item.useful_life_months)
            if end < item.useful_life_months and not scrap_reason.allows_early:
                raise ValidationError(
                    {
                        "scrap_reason": _(
                            "%(number)s has not reached the end of its useful life; this reason "
                            "class does not allow scrapping it early."
                        )
                        % {"number": item.number}
                    }
                )


@transaction.atomic
def movement_create(
    *,
    actor,
    kind: str,
    item_ids: Sequence[int],
    reason: str = "",
    effective_date: dt.date | None = None,
    to_custodian=None,
    to_unit: Organization | None = None,
    to_agency: Organization | None = None,
    to_location: str = "",
    scrap_reason: ScrapReason | None = None,
    disposal_method: str = "",
    proceeds: Decimal | None = None,
    amount: Decimal | None = None,
    corrects: Movement | None = None,
    submit: bool = True,
) -> Movement:
    """A movement of existing items (every kind but acquisition), submitted for approval
    unless ``submit`` is False. ``amount`` is the value change of each item (value increase
    and decrease)."""
    if kind == MovementKind.ACQUISITION:
        raise ValidationError({"kind": _("Acquisitions are registered with their own form.")})
    effective = effective_date or _today()
    items = _lock_items(item_ids)
    if len(items) != len(set(item_ids)):
        raise ValidationError({"items": _("An item was not found.")})
    if kind in (MovementKind.VALUE_INCREASE, MovementKind.VALUE_DECREASE, MovementKind.SALE):
        _require_officer(actor, items[0].agency_id if items else None)
    elif not _may_move(actor, items):
        raise PermissionDenied
    _check_items(kind, items, effective, scrap_reason)
    agency = items[0].agency
    if kind in (MovementKind.TRANSFER, MovementKind.HANDOVER):
        if to_custodian is None and to_unit is None and to_agency is None and not to_location:
            raise ValidationError(
                {"to_custodian": _("Name the receiving custodian, unit, agency or location.")}
            )
        if to_custodian is not None and not to_custodian.is_active:
            raise ValidationError({"to_custodian": _("The receiver is not an active user.")})
        if to_agency is not None and to_agency.pk == agency.pk:
            to_agency = None
    if kind in (MovementKind.VALUE_INCREASE, MovementKind.VALUE_DECREASE):
        if amount is None or Decimal(amount) <= 0:
            raise ValidationError({"amount": _("Enter a positive amount.")})
        if kind == MovementKind.VALUE_DECREASE:
            for item in items:
                if Decimal(amount) > item.value - item.residual_value:
                    raise ValidationError(
                        {"amount": _("The decrease exceeds the book cost less the residual value.")}
                    )
    if kind == MovementKind.SALE and (proceeds is None or Decimal(proceeds) < 0):
        raise ValidationError({"proceeds": _("Enter the proceeds of the sale.")})
    if kind in (MovementKind.SCRAP, MovementKind.LOSS) and not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    movement = Movement(
        number=_number(agency=agency, kind=kind, day=effective),
        agency=agency,
        kind=kind,
        effective_date=effective,
        reason=reason,
        requested_by=actor,
        requester_unit=getattr(actor, "organization", None) or items[0].user_unit,
        to_custodian=to_custodian,
        to_unit=to_unit,
        to_agency=to_agency,
        to_location=to_location,
        scrap_reason=scrap_reason,
        disposal_method=disposal_method,
        proceeds=proceeds,
        corrects=corrects,
    )
    movement.full_clean()
    movement.save()
    for item in items:
        line_amount = Decimal(amount) if amount is not None else item.value
        MovementLine.objects.create(
            movement=movement,
            item=item,
            quantity=item.quantity,
            area=item.area,
            amount=line_amount,
        )
        new_status = OPEN_ITEM_STATUS.get(kind)
        if new_status:
            Item.objects.filter(pk=item.pk).update(status=new_status)
    if submit:
        movement_submit(movement=movement, actor=actor)
    return movement


@transaction.atomic
def acquisition_create(
    *,
    actor,
    agency: Organization,
    register: str,
    classification: Classification,
    name: str,
    unit_cost: Decimal,
    acquired_on: dt.date,
    user_unit: Organization,
    custodian=None,
    count: int = 1,
    quantity_each: int = 1,
    unit_of_measure: str = "件",
    area: Decimal = Decimal(0),
    specification: str = "",
    brand_model: str = "",
    location: str = "",
    funding_source: str = "",
    residual_value: Decimal = Decimal(0),
    useful_life_months: int | None = None,
    reason: str = "",
    submit: bool = True,
) -> Movement:
    """An acquisition splitting a purchase into ``count`` items (each ``quantity_each``),
    numbered now, in use once the chain approves it."""
    _require_officer(actor, agency)
    if count < 1 or count > 5000:
        raise ValidationError({"count": _("Split into 1 to 5,000 items.")})
    life = useful_life_months
    if life is None:
        life = classification.useful_life_years * 12
    movement = Movement(
        number=_number(agency=agency, kind=MovementKind.ACQUISITION, day=acquired_on),
        agency=agency,
        kind=MovementKind.ACQUISITION,
        effective_date=acquired_on,
        reason=reason,
        requested_by=actor,
        requester_unit=getattr(actor, "organization", None) or user_unit,
    )
    movement.full_clean()
    movement.save()
    for _n in range(count):
        serial, number = _item_number(agency=agency, classification=classification)
        item = Item(
            agency=agency,
            register=register,
            classification=classification,
            serial=serial,
            number=number,
            name=name,
            specification=specification,
            brand_model=brand_model,
            quantity=quantity_each,
            unit_of_measure=unit_of_measure,
            area=area,
            acquired_on=acquired_on,
            cost=unit_cost,
            value=unit_cost,
            residual_value=residual_value,
            useful_life_months=life,
            funding_source=funding_source,
            custodian=custodian,
            user_unit=user_unit,
            location=location,
            status=ItemStatus.PENDING,
        )
        item.full_clean(validate_unique=False)
        item.save()
        MovementLine.objects.create(
            movement=movement, item=item, quantity=item.quantity, area=item.area, amount=unit_cost
        )
    if submit:
        movement_submit(movement=movement, actor=actor)
    return movement


@transaction.atomic
def movement_submit(*, movement: Movement, actor) -> Movement:
    """Send a draft for approval along the template of purpose ``property.<kind>``."""
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.status not in (MovementStatus.DRAFT, MovementStatus.RETURNED):
        raise ValidationError({"status": _("This movement was already submitted.")})
    if (
        actor is not None
        and actor.pk != locked.requested_by_id
        and not selectors.is_officer(actor, locked.agency_id)
    ):
        if not (locked.kind == MovementKind.HANDOVER and _may_move(actor, list(_items(locked)))):
            raise PermissionDenied
    if locked.status == MovementStatus.RETURNED and locked.kind != MovementKind.ACQUISITION:
        # Put back earlier: the items were released, so check and hold them again.
        items = _lock_items(_items(locked).values_list("pk", flat=True))
        _check_items(locked.kind, items, locked.effective_date, locked.scrap_reason)
        new_status = OPEN_ITEM_STATUS.get(locked.kind)
        if new_status:
            Item.objects.filter(pk__in=[item.pk for item in items]).update(status=new_status)
    total = sum((line.amount for line in locked.lines.all()), Decimal(0))
    approval_start(
        target=locked,
        purpose=f"{PURPOSE_PREFIX}{locked.kind}",
        started_by=actor or locked.requested_by,
        amount=total,
        subject=f"{locked.number} {locked.get_kind_display()}",
        requester_unit=locked.requester_unit,
    )
    Movement.objects.filter(pk=locked.pk).update(status=MovementStatus.SUBMITTED)
    locked.status = MovementStatus.SUBMITTED
    movement.status = locked.status
    return locked


def _items(movement: Movement):
    return Item.objects.filter(movement_lines__movement=movement).order_by("pk")


# --- outcome of the chain (hooks, inside the engine's transaction) ---------------------------


def movement_approved(*, document, chain, outcome, comment, actor) -> None:
    movement = Movement.objects.select_for_update().filter(pk=chain.target_object_id).first()
    if movement is None or movement.status != MovementStatus.SUBMITTED:
        return  # idempotent
    if movement.needs_acceptance and (
        movement.to_custodian_id or movement.to_unit_id or movement.to_agency_id
    ):
        Movement.objects.filter(pk=movement.pk).update(status=MovementStatus.AWAITING_ACCEPTANCE)
        movement.status = MovementStatus.AWAITING_ACCEPTANCE
        _tell_receiver(movement)
        return
    _complete(movement)


def movement_returned(*, document, chain, outcome, comment, actor) -> None:
    movement = Movement.objects.select_for_update().filter(pk=chain.target_object_id).first()
    if movement is None or movement.status != MovementStatus.SUBMITTED:
        return
    _put_back(movement)


def _put_back(movement: Movement) -> None:
    """The chain will not approve it: release the items and reset the status (a hand-over
    becomes a draft again with no receiver, unless the person already has another draft)."""
    _release(movement, cancelled=True)
    if (
        movement.kind == MovementKind.HANDOVER
        and not Movement.objects.filter(
            handover_from_id=movement.handover_from_id,
            kind=MovementKind.HANDOVER,
            status=MovementStatus.DRAFT,
        ).exists()
    ):
        Movement.objects.filter(pk=movement.pk).update(
            status=MovementStatus.DRAFT, to_custodian=None
        )
        movement.status, movement.to_custodian = MovementStatus.DRAFT, None
        return
    Movement.objects.filter(pk=movement.pk).update(status=MovementStatus.RETURNED)
    movement.status = MovementStatus.RETURNED


def _chains_of(movement: Movement):
    return SignOffChain.objects.filter(
        target_content_type=ContentType.objects.get_for_model(Movement),
        target_object_id=str(movement.pk),
    )


@transaction.atomic
def movement_withdraw(*, movement: Movement, actor, reason: str) -> Movement:
    """The requester withdraws a submitted movement: its chain is cancelled
    (``documents.services.signoff_cancel``, which checks the actor) and the movement is put
    back."""
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.status != MovementStatus.SUBMITTED:
        raise ValidationError({"status": _("Only a movement awaiting approval is withdrawn.")})
    chain = _chains_of(locked).filter(status=ChainStatus.IN_PROGRESS).order_by("-pk").first()
    if chain is not None:
        # The engine tells the hook (``movement_returned``), which puts the movement back.
        signoff_cancel(chain=chain, actor=actor, reason=reason)
        locked.refresh_from_db(fields=["status", "to_custodian"])
    if locked.status == MovementStatus.SUBMITTED:
        _put_back(locked)
    movement.status = locked.status
    return locked


def movements_settle_cancelled(movements=None) -> int:
    """Put back every submitted movement whose chain is cancelled and none open: the safety
    net behind the engine's cancel hook (e.g. chains cancelled before the hook existed).
    Idempotent."""
    content_type = ContentType.objects.get_for_model(Movement)
    open_chains = SignOffChain.objects.filter(
        target_content_type=content_type, status=ChainStatus.IN_PROGRESS
    ).values("target_object_id")
    cancelled = SignOffChain.objects.filter(
        target_content_type=content_type, status=ChainStatus.CANCELLED
    ).values("target_object_id")
    candidates = (movements if movements is not None else Movement.objects).filter(
        status=MovementStatus.SUBMITTED
    )
    ids = list(
        candidates.annotate(pk_text=Cast("pk", CharField()))
        .filter(pk_text__in=cancelled)
        .exclude(pk_text__in=open_chains)
        .values_list("pk", flat=True)
    )
    settled = 0
    for pk in ids:
        with transaction.atomic():
            locked = Movement.objects.select_for_update().get(pk=pk)
            if locked.status != MovementStatus.SUBMITTED:
                continue
            if _chains_of(locked).filter(status=ChainStatus.IN_PROGRESS).exists():
                continue
            _put_back(locked)
            settled += 1
    return settled


def _release(movement: Movement, *, cancelled: bool) -> None:
    """Items of a movement that will not take effect go back to their previous status."""
    items = _items(movement)
    if movement.kind == MovementKind.ACQUISITION:
        if cancelled:
            items.update(status=ItemStatus.PENDING)
        return
    if movement.kind in OPEN_ITEM_STATUS:
        items.update(status=ItemStatus.IN_USE)


def _tell_receiver(movement: Movement) -> None:
    recipients = []
    if movement.to_custodian_id:
        recipients.append(movement.to_custodian)
    elif movement.to_unit_id:
        recipients.append(UnitOfficers(movement.to_unit_id))
    else:
        recipients.append(RoleHolders(ROLE_OFFICER, movement.to_agency_id))
    notify(
        recipients=recipients,
        kind=NoticeKind.TODO,
        obj=movement,
        title={
            "zh-hant": f"請點收財產移動 {movement.number}",
            "en": f"Please accept property transfer {movement.number}",
        },
        body={
            "zh-hant": f"財產移動已核定，請確認點收 {movement.lines.count()} 筆財產。",
            "en": f"The transfer was approved; please accept its {movement.lines.count()} items.",
        },
    )


@transaction.atomic
def movement_accept(*, movement: Movement, actor) -> Movement:
    """The receiver accepts a transfer: it takes effect now."""
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.status != MovementStatus.AWAITING_ACCEPTANCE:
        raise ValidationError({"status": _("This transfer is not waiting for acceptance.")})
    if actor is not None and not selectors.may_accept(actor, locked):
        raise PermissionDenied
    locked.accepted_by = actor
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_by", "accepted_at"])
    _complete(locked)
    notice_resolve(obj=locked)
    return locked


@transaction.atomic
def movement_refuse(*, movement: Movement, actor, reason: str) -> Movement:
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.status != MovementStatus.AWAITING_ACCEPTANCE:
        raise ValidationError({"status": _("This transfer is not waiting for acceptance.")})
    if actor is not None and not selectors.may_accept(actor, locked):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for refusing.")})
    updated = Movement.objects.filter(
        pk=locked.pk, status=MovementStatus.AWAITING_ACCEPTANCE
    ).update(status=MovementStatus.REFUSED, reason=f"{locked.reason}\n[refused] {reason}".strip())
    if updated:
        _release(locked, cancelled=True)
        notice_resolve(obj=locked)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def movement_cancel(*, movement: Movement, actor) -> Movement:
    """Withdraw a draft (only drafts; a submitted one is cancelled through its chain)."""
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.status not in (MovementStatus.DRAFT, MovementStatus.RETURNED):
        raise ValidationError({"status": _("Only a draft or returned movement is cancelled.")})
    if (
        actor is not None
        and actor.pk != locked.requested_by_id
        and not selectors.is_officer(actor, locked.agency_id)
    ):
        raise PermissionDenied
    Movement.objects.filter(pk=locked.pk).update(status=MovementStatus.CANCELLED)
    _release(locked, cancelled=True)
    if locked.kind == MovementKind.ACQUISITION:
        _items(locked).update(status=ItemStatus.PENDING)
    locked.refresh_from_db()
    return locked


# --- taking effect ----------------------------------------------------------------------------


def _post(movement, item, category, *, sign: int, quantity, area, value, agency_id=None, date=None):
    Posting.objects.create(
        movement=movement,
        item=item,
        agency_id=agency_id or item.agency_id,
        register=item.register,
        class_digit=item.classification.code[:1],
        category=category,
        date=date or movement.effective_date,
        quantity=sign * quantity,
        area=sign * area,
        value=sign * value,
    )


DECREASE_STATUS = {MovementKind.SCRAP: ItemStatus.SCRAPPED, MovementKind.LOSS: ItemStatus.LOST}


def _complete(movement: Movement) -> None:
    """Apply a movement to its items and write its ledger postings (once: the conditional
    update on the status guards a second call)."""
    open_statuses = [MovementStatus.SUBMITTED, MovementStatus.AWAITING_ACCEPTANCE]
    if not Movement.objects.filter(pk=movement.pk, status__in=open_statuses).update(
        status=MovementStatus.COMPLETED, completed_at=timezone.now()
    ):
        return
    lines = movement.lines.select_related("item", "item__classification").order_by("item_id")
    for line in lines:
        item = Item.objects.select_for_update().get(pk=line.item_id)
        item.classification = line.item.classification
        before = {"custodian": item.custodian_id, "user_unit": item.user_unit_id}
        kind = movement.kind
        if kind == MovementKind.ACQUISITION:
            item.status = ItemStatus.IN_USE
            _post(
                movement,
                item,
                PostingCategory.ACQUISITION,
                sign=1,
                quantity=item.quantity,
                area=item.area,
                value=item.value,
            )
        elif kind in (MovementKind.TRANSFER, MovementKind.HANDOVER):
            if movement.to_agency_id and movement.to_agency_id != item.agency_id:
                _post(
                    movement,
                    item,
                    PostingCategory.TRANSFER_OUT,
                    sign=-1,
                    quantity=item.quantity,
                    area=item.area,
                    value=item.value,
                )
                item.agency_id = movement.to_agency_id
                serial, number = _item_number(
                    agency=movement.to_agency, classification=item.classification
                )
                item.serial, item.number = serial, number
                _post(
                    movement,
                    item,
                    PostingCategory.TRANSFER_IN,
                    sign=1,
                    quantity=item.quantity,
                    area=item.area,
                    value=item.value,
                )
            if movement.to_custodian_id:
                item.custodian_id = movement.to_custodian_id
            if movement.to_unit_id:
                item.user_unit_id = movement.to_unit_id
            elif movement.to_custodian_id and movement.to_custodian.organization_id:
                item.user_unit_id = movement.to_custodian.organization_id
            if movement.to_location:
                item.location = movement.to_location
            item.status = ItemStatus.IN_USE
        elif kind == MovementKind.VALUE_INCREASE:
            item.value += line.amount
            _post(
                movement,
                item,
                PostingCategory.VALUE_INCREASE,
                sign=1,
                quantity=0,
                area=0,
                value=line.amount,
            )
        elif kind == MovementKind.VALUE_DECREASE:
            item.value -= line.amount
            _post(
                movement,
                item,
                PostingCategory.VALUE_DECREASE,
                sign=-1,
                quantity=0,
                area=0,
                value=line.amount,
            )
        elif kind in DECREASE_STATUS:
            category = PostingCategory.SCRAP if kind == MovementKind.SCRAP else PostingCategory.LOSS
            _post(
                movement,
                item,
                category,
                sign=-1,
                quantity=item.quantity,
                area=item.area,
                value=item.value,
            )
            item.status = DECREASE_STATUS[kind]
        elif kind == MovementKind.SALE:
            item.status = ItemStatus.SOLD
        item.save()
        after = {"custodian": item.custodian_id, "user_unit": item.user_unit_id}
        if before != after:
            audit_record(
                action=AuditAction.UPDATE,
                obj=item,
                actor=movement.accepted_by or movement.requested_by,
                changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
                message=f"property movement {movement.number}",
            )
