"""Bulk hand-over: everything a person who left or moved holds is drafted into one hand-over
movement for the head of the items' unit to assign.

``handover_draft_for_person(person=)`` is the service the HR side calls; ``handovers_sweep``
(periodic, ``tasks.py``) finds every inactive custodian and every custodian now in another
agency than the items' and drafts theirs, so nothing depends on the call arriving. At most one
draft per person (a partial unique constraint); items already in an open movement stay out.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import authz
from accounts.models import User
from core.models import Organization
from notifications.choices import NoticeKind
from notifications.recipients import UnitOfficers
from notifications.services import notice_resolve, notify

from .. import selectors
from ..choices import (
    HELD_STATUSES,
    OPEN_MOVEMENT_STATUSES,
    ItemStatus,
    MovementKind,
    MovementStatus,
)
from ..models import Item, Movement, MovementLine
from .movements import _number, movement_submit


def _handover_items(person: User):
    items = Item.objects.filter(custodian=person, status=ItemStatus.IN_USE).exclude(
        movement_lines__movement__status__in=OPEN_MOVEMENT_STATUSES
    )
    if person.is_active:
        # A person who moved keeps what belongs to their new agency.
        agency = selectors.agency_of(person.organization)
        if agency is not None:
            items = items.exclude(agency=agency)
    return items.order_by("agency_id", "pk")


@transaction.atomic
def handover_draft_for_person(*, person: User) -> list[Movement]:
    """Draft one hand-over per agency of the items ``person`` holds (idempotent)."""
    movements = []
    items = list(_handover_items(person))
    by_agency: dict[int, list[Item]] = {}
    for item in items:
        by_agency.setdefault(item.agency_id, []).append(item)
    for agency_items in by_agency.values():
        first = agency_items[0]
        if Movement.objects.filter(
            handover_from=person, kind=MovementKind.HANDOVER, status=MovementStatus.DRAFT
        ).exists():
            break
        try:
            with transaction.atomic():
                movement = Movement.objects.create(
                    number=_number(
                        agency=first.agency, kind=MovementKind.HANDOVER, day=timezone.localdate()
                    ),
                    agency=first.agency,
                    kind=MovementKind.HANDOVER,
                    effective_date=timezone.localdate(),
                    reason=_("Hand-over of the items held by %(name)s") % {"name": person},
                    handover_from=person,
                    requester_unit=first.user_unit,
                )
        except IntegrityError:
            break
        for item in agency_items:
            MovementLine.objects.create(
                movement=movement,
                item=item,
                quantity=item.quantity,
                area=item.area,
                amount=item.value,
            )
        notify(
            recipients=[UnitOfficers(first.user_unit_id)],
            kind=NoticeKind.TODO,
            obj=movement,
            title={
                "zh-hant": f"請指定財產移交對象：{person.display_name}",
                "en": f"Assign the items held by {person.display_name}",
            },
            body={
                "zh-hant": f"{person.display_name} 保管的 {len(agency_items)} 筆財產待移交。",
                "en": f"{len(agency_items)} items held by {person.display_name} "
                "need a new custodian.",
            },
        )
        movements.append(movement)
    return movements


def handovers_sweep() -> int:
    """Draft the hand-overs of inactive custodians and of custodians now in another agency."""
    held = Item.objects.filter(status__in=HELD_STATUSES, custodian__isnull=False)
    inactive = set(held.filter(custodian__is_active=False).values_list("custodian_id", flat=True))
    moved = set()
    for person_id, org_id, agency_id in (
        held.filter(custodian__is_active=True)
        .exclude(custodian__organization_id=F("user_unit_id"))
        .values_list("custodian_id", "custodian__organization_id", "agency_id")
        .distinct()
    ):
        unit = Organization.objects.filter(pk=org_id).first()
        if selectors.agency_of(unit) is None or selectors.agency_of(unit).pk != agency_id:
            moved.add(person_id)
    drafted = 0
    for person in User.objects.filter(pk__in=inactive | moved).order_by("pk"):
        drafted += len(handover_draft_for_person(person=person))
    return drafted


@transaction.atomic
def handover_assign(*, movement: Movement, actor, to_custodian: User) -> Movement:
    """The unit head (or a property officer) names the new custodian; the hand-over then goes
    through its chain and waits for the new custodian's acceptance."""
    locked = Movement.objects.select_for_update().get(pk=movement.pk)
    if locked.kind != MovementKind.HANDOVER or locked.status != MovementStatus.DRAFT:
        raise ValidationError({"status": _("This hand-over was already assigned.")})
    if actor is not None and not (
        authz.is_unit_officer(actor, locked.requester_unit_id)
        or locked.requester_unit_id in selectors.headed_unit_ids(actor)
        or selectors.is_officer(actor, locked.agency_id)
    ):
        raise PermissionDenied
    if not to_custodian.is_active:
        raise ValidationError({"to_custodian": _("The receiver is not an active user.")})
    if to_custodian.pk == locked.handover_from_id:
        raise ValidationError({"to_custodian": _("Choose someone else than the person leaving.")})
    locked.to_custodian = to_custodian
    locked.requested_by = actor
    locked.save(update_fields=["to_custodian", "requested_by"])
    Item.objects.filter(movement_lines__movement=locked).update(status=ItemStatus.TRANSFER_PENDING)
    notice_resolve(obj=locked)
    movement_submit(movement=locked, actor=actor)
    return locked


def handover_on_person_deactivated(sender, *, user: User, **kwargs) -> None:
    """Receiver of ``accounts.signals.person_deactivated`` (connected in ``apps.py``)."""
    handover_draft_for_person(person=User.objects.get(pk=user.pk))


def handover_on_person_moved(sender, *, user: User, **kwargs) -> None:
    """Receiver of ``accounts.signals.person_moved``: what belongs to the old agency is drafted;
    a move inside the same agency leaves nothing to hand over."""
    handover_draft_for_person(person=User.objects.select_related("organization").get(pk=user.pk))
