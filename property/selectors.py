"""Reads of the property app: who sees which items and movements, the item list, custody
totals, the item's history and book cost as of a date.

Who sees an item (``items_visible_to``, used by the pages, the API, the exports and the admin):

- its custodian;
- the head or a deputy of its user unit or of a unit above it (``accounts.UnitOfficer``);
- a holder of ``property.officer`` or ``property.consolidator`` covering its agency;
- superusers (through ``accounts.authz``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from accounts import authz
from accounts.models import UnitOfficer, User
from core.choices import OrganizationKind
from core.models import Organization

from . import depreciation
from .choices import HELD_STATUSES, MovementStatus, Register
from .constants import ROLE_CONSOLIDATOR, ROLE_OFFICER
from .models import Classification, Item, Movement, Posting, ScrapReason

AGENCY_KINDS = (
    OrganizationKind.HEADQUARTERS,
    OrganizationKind.ADMINISTRATION,
    OrganizationKind.BUREAU,
    OrganizationKind.INSTITUTE,
)


def agency_of(unit: Organization | None) -> Organization | None:
    """The agency a unit belongs to: the nearest unit at or above it that is the headquarters,
    an administration, a bureau or an institute; the ministry itself for the ministry."""
    node, seen = unit, set()
    while node is not None and node.pk not in seen:
        if node.kind in AGENCY_KINDS or node.parent_id is None:
            return node
        seen.add(node.pk)
        node = node.parent
    return None


def agencies() -> QuerySet[Organization]:
    return Organization.objects.filter(kind__in=AGENCY_KINDS, is_active=True).order_by(
        "sort_order", "code"
    )


def headed_unit_ids(user) -> set[int]:
    """The units ``user`` heads or deputises, with every unit below them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roots = set(UnitOfficer.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))
    ids = set(roots)
    frontier = list(roots)
    while frontier:
        frontier = list(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return ids


def officer_agency_ids(user) -> frozenset[int]:
    """Agencies whose whole register ``user`` manages (``property.officer``)."""
    return authz.units_where(user, ROLE_OFFICER)


def is_officer(user, agency) -> bool:
    return authz.has_role(user, ROLE_OFFICER, agency)


def is_consolidator(user) -> bool:
    return authz.has_role(user, ROLE_CONSOLIDATOR)


def item_scope_q(user, prefix: str = "") -> Q:
    """The ``Q`` of the items ``user`` may see (``prefix``: a path to an item, e.g. ``item__``)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    everything = Q(pk__isnull=False)
    officer = authz.scope_q(user, ROLE_OFFICER, field=f"{prefix}agency")
    consolidator = authz.scope_q(user, ROLE_CONSOLIDATOR, field=f"{prefix}agency")
    if everything in (officer, consolidator):
        # No filter at all: an OR with "every row" would keep the planner off the indexes.
        return Q()
    q = Q(**{f"{prefix}custodian_id": user.pk}) | officer | consolidator
    headed = headed_unit_ids(user)
    if headed:
        q |= Q(**{f"{prefix}user_unit_id__in": sorted(headed)})
    return q


def items_visible_to(user) -> QuerySet[Item]:
    return Item.objects.filter(item_scope_q(user))


def item_list(*, user, filters: dict | None = None) -> QuerySet[Item]:
    """Visible items with the list's filters (agency, register, classification, custodian,
    status, user unit, location, text)."""
    qs = items_visible_to(user).select_related("agency", "classification", "custodian", "user_unit")
    filters = filters or {}
    for key in ("agency", "register", "classification", "custodian", "status", "user_unit"):
        value = filters.get(key)
        if value not in (None, ""):
            qs = qs.filter(**{key: value})
    if filters.get("location"):
        qs = qs.filter(location__icontains=filters["location"])
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(number__icontains=text) | Q(name__icontains=text))
    return qs.order_by("agency_id", "number")


def item_detail(*, user, pk: int) -> Item:
    item = (
        items_visible_to(user)
        .select_related("agency", "classification", "custodian", "user_unit")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def item_by_number(*, user, agency_code: str, number: str) -> Item:
    item = items_visible_to(user).filter(agency__code=agency_code, number=number).first()
    if item is None:
        raise Http404
    return item


def custody(*, user) -> QuerySet[Item]:
    """The items ``user`` holds (in use, being transferred or under review): the columns the
    custody table shows (a custodian of thousands of items pays for no joins or wide rows)."""
    return (
        Item.objects.filter(custodian_id=user.pk, status__in=HELD_STATUSES)
        .only("id", "number", "name", "register", "status", "location", "value")
        .order_by("number", "pk")
    )


def custody_totals(*, user) -> list[dict]:
    """Per register: item count, quantity and book cost of what ``user`` holds."""
    rows = (
        Item.objects.filter(custodian_id=user.pk, status__in=HELD_STATUSES)
        .values("register")
        .annotate(items=Count("id"), quantity=Sum("quantity"), value=Sum("value"))
        .order_by("register")
    )
    labels = dict(Register.choices)
    return [{**row, "label": labels.get(row["register"], row["register"])} for row in rows]


def movement_scope_q(user) -> Q:
    """Movements ``user`` may see: those touching a visible item, those they requested, and
    those waiting for them (receiver)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    visible_items = Item.objects.filter(item_scope_q(user)).values("pk")
    return (
        Q(requested_by_id=user.pk)
        | Q(to_custodian_id=user.pk)
        | Q(accepted_by_id=user.pk)
        | Q(lines__item__in=visible_items)
        | authz.scope_q(user, ROLE_OFFICER, field="agency")
        | authz.scope_q(user, ROLE_OFFICER, field="to_agency")
    )


def movements_visible_to(user) -> QuerySet[Movement]:
    ids = Movement.objects.filter(movement_scope_q(user)).values("pk")
    return Movement.objects.filter(pk__in=ids)


def movement_detail(*, user, pk: int) -> Movement:
    movement = (
        movements_visible_to(user)
        .select_related("agency", "requested_by", "to_custodian", "to_unit", "to_agency")
        .filter(pk=pk)
        .first()
    )
    if movement is None:
        raise Http404
    return movement


def may_accept(user, movement: Movement) -> bool:
    """The receiver: the receiving custodian; with none, the head of the receiving unit, or a
    property officer of the receiving agency."""
    if movement.status != MovementStatus.AWAITING_ACCEPTANCE:
        return False
    if movement.to_custodian_id:
        return movement.to_custodian_id == user.pk
    if movement.to_unit_id and authz.is_unit_officer(user, movement.to_unit_id):
        return True
    target = movement.to_agency_id or movement.agency_id
    return is_officer(user, target)


def incoming(*, user, headed: set[int] | None = None) -> QuerySet[Movement]:
    """Transfers waiting for ``user`` to accept (``headed``: ``headed_unit_ids(user)`` when the
    caller already has it)."""
    qs = Movement.objects.filter(status=MovementStatus.AWAITING_ACCEPTANCE)
    q = Q(to_custodian_id=user.pk)
    headed = headed_unit_ids(user) if headed is None else headed
    if headed:
        q |= Q(to_custodian__isnull=True, to_unit_id__in=sorted(headed))
    return qs.filter(q).select_related("agency", "requested_by").order_by("created_at")


def handovers_to_assign(*, user, headed: set[int] | None = None) -> QuerySet[Movement]:
    """Hand-over drafts of units ``user`` heads (or agencies they manage)."""
    headed = headed_unit_ids(user) if headed is None else headed
    q = authz.scope_q(user, ROLE_OFFICER, field="agency")
    if headed:
        q |= Q(requester_unit_id__in=sorted(headed))
    return (
        Movement.objects.filter(q, kind="handover", status=MovementStatus.DRAFT)
        .select_related("handover_from", "requester_unit")
        .order_by("created_at")
    )


def item_history(*, item: Item) -> QuerySet:
    return item.movement_lines.select_related("movement", "movement__requested_by").order_by(
        "movement__created_at", "movement_id"
    )


def book_cost_as_of(item: Item, as_of: dt.date) -> Decimal:
    """The item's book cost on ``as_of`` from its ledger (its cost while nothing is posted)."""
    posted = Posting.objects.filter(item=item, date__lte=as_of, agency_id=item.agency_id)
    if not posted.exists():
        return Decimal(item.value or item.cost)
    return posted.filter(
        category__in=["acquisition", "transfer_in", "value_increase", "value_decrease"]
    ).aggregate(v=Sum("value"))["v"] or Decimal(0)


def item_depreciation(item: Item, as_of: dt.date) -> depreciation.Depreciation:
    return depreciation.compute(
        acquired_on=item.acquired_on,
        as_of=as_of,
        book_cost=book_cost_as_of(item, as_of),
        residual=item.residual_value,
        life_months=item.useful_life_months,
    )


def classification_choices() -> QuerySet[Classification]:
    return Classification.objects.filter(is_active=True).order_by("code")


def scrap_reasons() -> QuerySet[ScrapReason]:
    return ScrapReason.objects.order_by("code")


def custodian_choices(*, agency: Organization) -> QuerySet[User]:
    """People who may receive items within ``agency`` (active users of its units)."""
    ids = agency.descendant_ids()
    return User.objects.filter(is_active=True, organization_id__in=ids).order_by("username")


def movable_items(*, user) -> QuerySet[Item]:
    """Items in use that ``user`` may put in a transfer or scrap request: their own, those of
    the units they head, those of the agencies they manage."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Item.objects.none()
    q = Q(custodian_id=user.pk) | authz.scope_q(user, ROLE_OFFICER, field="agency")
    headed = headed_unit_ids(user)
    if headed:
        q |= Q(user_unit_id__in=sorted(headed))
    return (
        Item.objects.filter(q, status="in_use").select_related("classification").order_by("number")
    )


def _officer_items(user, status: str) -> QuerySet[Item]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Item.objects.none()
    return (
        Item.objects.filter(authz.scope_q(user, ROLE_OFFICER, field="agency"), status=status)
        .select_related("classification")
        .order_by("number", "pk")
    )


def revaluable_items(*, user) -> QuerySet[Item]:
    """Items in use whose book cost ``user`` may raise or lower: those of the agencies whose
    register they keep (value changes are the officer's, as in ``movement_create``)."""
    return _officer_items(user, "in_use")


def sellable_items(*, user) -> QuerySet[Item]:
    """Scrapped items ``user`` may sell: those of the agencies whose register they keep."""
    return _officer_items(user, "scrapped")


def officer_agencies(*, user) -> QuerySet[Organization]:
    """Agencies whose register ``user`` keeps."""
    return agencies().filter(pk__in=sorted(officer_agency_ids(user)))


def report_agencies(*, user) -> QuerySet[Organization]:
    """Agencies whose statements ``user`` may read: those they keep or consolidate, and the
    agency of the units they head."""
    ids = set(officer_agency_ids(user)) | set(authz.units_where(user, ROLE_CONSOLIDATOR))
    for unit in Organization.objects.filter(pk__in=sorted(headed_unit_ids(user))):
        agency = agency_of(unit)
        if agency is not None and unit.pk == agency.pk:
            ids.add(agency.pk)
    return agencies().filter(pk__in=sorted(ids))
