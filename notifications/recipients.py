"""Who a notice goes to: people, units and roles in units, resolved to active users.

``notify(recipients=[...])`` takes any mix of:

- a ``User`` (or ``Person(user_id)``);
- an ``Organization`` (its members, not its sub-units) or ``UnitMembers(unit,
  include_subunits=True)``;
- ``RoleHolders("documents.signer", unit=None)``: active holders of a portal-wide role
  covering ``unit`` (``accounts.authz.role_holders``: unrestricted, scoped to the unit, or
  to a unit above it with sub-units); ``unit=None``: holders anywhere;
- ``UnitOfficers(unit)``: the unit's head and deputies (``accounts.authz.unit_officers``).

Each person gets one notice however many entries name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from accounts import authz
from accounts.models import User
from core.models import Organization


@dataclass(frozen=True)
class Person:
    user_id: int


@dataclass(frozen=True)
class UnitMembers:
    unit: Organization | int
    include_subunits: bool = False


@dataclass(frozen=True)
class RoleHolders:
    role: str
    unit: Organization | int | None = None


@dataclass(frozen=True)
class UnitOfficers:
    unit: Organization | int


def _unit_id(unit) -> int:
    return unit.pk if isinstance(unit, Organization) else int(unit)


def subtree_ids(unit_id: int) -> set[int]:
    """``unit_id`` and every unit below it (one query per level)."""
    ids = {unit_id}
    frontier = [unit_id]
    while frontier:
        frontier = list(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return ids


def resolve(recipients: Iterable) -> list[User]:
    """The active users behind ``recipients``, each once, ordered by id."""
    user_ids: set[int] = set()
    unit_ids: set[int] = set()
    for entry in recipients:
        if isinstance(entry, User):
            if entry.is_active:
                user_ids.add(entry.pk)
        elif isinstance(entry, Person):
            user_ids.add(entry.user_id)
        elif isinstance(entry, Organization):
            unit_ids.add(entry.pk)
        elif isinstance(entry, UnitMembers):
            uid = _unit_id(entry.unit)
            unit_ids.update(subtree_ids(uid) if entry.include_subunits else {uid})
        elif isinstance(entry, RoleHolders):
            user_ids.update(authz.role_holders(entry.role, entry.unit).values_list("pk", flat=True))
        elif isinstance(entry, UnitOfficers):
            user_ids.update(u.pk for u in authz.unit_officers(entry.unit))
        else:
            raise TypeError(f"not a recipient: {entry!r}")
    users = User.objects.filter(is_active=True)
    if unit_ids:
        found = users.filter(pk__in=user_ids) | users.filter(organization_id__in=unit_ids)
    else:
        found = users.filter(pk__in=user_ids)
    return list(found.distinct().order_by("pk"))
