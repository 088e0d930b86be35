"""Who may do what, where: the one place apps ask.

A *portal-wide role* (``Role`` with ``application`` empty, code ``"<app>.<name>"``, declared in
``<app>/roles.py``) is held through ``RoleAssignment`` rows:

- an assignment counts while ``valid_until`` is empty or not before today (the date in
  ``settings.TIME_ZONE``, Asia/Taipei);
- ``scope`` empty: the role covers every unit; otherwise it covers the scope unit and, when
  ``include_subunits`` is on (the default), every unit below it;
- inactive and anonymous users hold nothing; active superusers hold every role everywhere in
  ``has_role``, ``units_where`` and ``scope_q`` (never in ``role_holders``, which picks real
  people for sign-off steps and notices).

Roles mapped to directory groups count once the directory sync has written them as
assignments (it does on every login and sync).

Each unit's head and deputies are ``UnitOfficer`` rows: ``unit_head``, ``unit_deputies``,
``unit_officers`` and ``is_unit_officer`` read them (active users only).

Caching: the first ``has_role``/``units_where``/``scope_q`` call for a user reads all of that
user's valid portal-wide assignments in one query and keeps them, and each role's expanded unit
set, on the user object (``request.user`` lives for one request, so this is a per-request
cache). A service deciding under a lock, or code holding a user object across requests, passes
``fresh=True`` to re-read; ``forget(user)`` drops the cache (the role services call it).

``role`` may be a code or a ``Role``; ``unit`` an ``Organization`` or its id.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import Organization

from .choices import UnitOfficerKind
from .models import Role, RoleAssignment, UnitOfficer, User

_CACHE_ATTR = "_authz_cache"

# A role held everywhere: ``_coverage`` returns this instead of a set of ids.
EVERYWHERE = None


def _today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _valid() -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gte=_today())


def _code(role: str | Role) -> str:
    return role.code if isinstance(role, Role) else role


def _unit_id(unit) -> int | None:
    if unit is None:
        return None
    return unit.pk if isinstance(unit, Organization) else int(unit)


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def forget(user) -> None:
    """Drop the assignments cached on ``user`` (after its roles changed)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _cache(user, *, fresh: bool) -> dict:
    """``{"grants": {code: [(scope_id, include_subunits), ...]}, "units": {code: coverage}}``
    for ``user``, read in one query unless cached."""
    cache = None if fresh else getattr(user, _CACHE_ATTR, None)
    if cache is None:
        grants: dict[str, list[tuple[int | None, bool]]] = {}
        rows = RoleAssignment.objects.filter(
            _valid(), user_id=user.pk, role__application__isnull=True
        ).values_list("role__code", "scope_id", "include_subunits")
        for code, scope_id, include_subunits in rows:
            grants.setdefault(code, []).append((scope_id, include_subunits))
        cache = {"grants": grants, "units": {}}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def _subtree_ids(root_ids: set[int]) -> set[int]:
    """``root_ids`` and every unit below them, one query per level of the tree."""
    ids = set(root_ids)
    frontier = list(root_ids)
    while frontier:
        frontier = list(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return ids


def _ancestor_ids(unit_id: int) -> list[int]:
    """The units above ``unit_id``, nearest first (one query per level)."""
    chain: list[int] = []
    seen = {unit_id}
    parent_id = Organization.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
    while parent_id is not None and parent_id not in seen:
        chain.append(parent_id)
        seen.add(parent_id)
        parent_id = (
            Organization.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return chain


def _coverage(user, role: str | Role, *, fresh: bool = False) -> frozenset[int] | None:
    """The unit ids ``role`` covers for ``user``; ``EVERYWHERE`` (None) when unrestricted."""
    if not _is_active_user(user):
        return frozenset()
    if user.is_superuser:
        return EVERYWHERE
    code = _code(role)
    cache = _cache(user, fresh=fresh)
    if code in cache["units"]:
        return cache["units"][code]
    grants = cache["grants"].get(code, [])
    if any(scope_id is None for scope_id, _sub in grants):
        coverage = EVERYWHERE
    else:
        exact = {scope_id for scope_id, sub in grants if not sub}
        trees = {scope_id for scope_id, sub in grants if sub}
        coverage = frozenset(exact | (_subtree_ids(trees) if trees else set()))
    cache["units"][code] = coverage
    return coverage


def has_role(user, role: str | Role, unit=None, *, fresh: bool = False) -> bool:
    """Whether ``user`` holds the portal-wide ``role`` covering ``unit`` (anywhere when
    ``unit`` is None). Superusers: always; anonymous or inactive users: never."""
    coverage = _coverage(user, role, fresh=fresh)
    if coverage is EVERYWHERE:
        return True
    if unit is None:
        return bool(coverage)
    return _unit_id(unit) in coverage


def units_where(user, role: str | Role, *, fresh: bool = False) -> frozenset[int]:
    """Ids of the units ``role`` covers for ``user``, sub-units expanded; every unit's id when
    the role is held unrestricted (or ``user`` is a superuser); empty when not held."""
    coverage = _coverage(user, role, fresh=fresh)
    if coverage is EVERYWHERE:
        return frozenset(Organization.objects.values_list("pk", flat=True))
    return coverage


def scope_q(user, role: str | Role, field: str = "unit", *, fresh: bool = False) -> Q:
    """A ``Q`` keeping the rows whose ``field`` (a unit foreign key path) is covered by
    ``role`` for ``user``: ``Q(pk__isnull=False)`` (every row) when held everywhere,
    ``Q(pk__in=[])`` (no row) when not held, else ``Q(<field>__in=ids)``. Combines with
    ``|`` and ``&`` like any ``Q``."""
    coverage = _coverage(user, role, fresh=fresh)
    if coverage is EVERYWHERE:
        return Q(pk__isnull=False)
    if not coverage:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": sorted(coverage)})


def role_holders(role: str | Role, unit=None) -> QuerySet[User]:
    """Active users holding ``role`` (portal-wide, valid today) so that it covers ``unit``:
    unrestricted, scoped to ``unit``, or scoped to a unit above it with sub-units included.
    ``unit`` None: holders anywhere. No superuser override."""
    assignments = RoleAssignment.objects.filter(
        _valid(), role__code=_code(role), role__application__isnull=True
    )
    unit_id = _unit_id(unit)
    if unit_id is not None:
        assignments = assignments.filter(
            Q(scope__isnull=True)
            | Q(scope_id=unit_id)
            | Q(scope_id__in=_ancestor_ids(unit_id), include_subunits=True)
        )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
        "username"
    )


def _officers(unit, kind: str | None = None) -> list[User]:
    rows = UnitOfficer.objects.filter(unit_id=_unit_id(unit), user__is_active=True)
    if kind is not None:
        rows = rows.filter(kind=kind)
    rows = rows.select_related("user").order_by("sort_order", "pk")
    officers = list(rows)
    heads = [o.user for o in officers if o.kind == UnitOfficerKind.HEAD]
    deputies = [o.user for o in officers if o.kind == UnitOfficerKind.DEPUTY]
    return heads + deputies


def unit_head(unit) -> User | None:
    """The active head of ``unit``; None when the post is vacant (or its holder inactive)."""
    heads = _officers(unit, UnitOfficerKind.HEAD)
    return heads[0] if heads else None


def unit_deputies(unit) -> list[User]:
    """The active deputy heads of ``unit``, in their order."""
    return _officers(unit, UnitOfficerKind.DEPUTY)


def unit_officers(unit) -> list[User]:
    """The active head of ``unit`` first, then its active deputies in order."""
    return _officers(unit)


def is_unit_officer(user, unit) -> bool:
    """Whether ``user`` (active) is the head or a deputy of ``unit``."""
    if not _is_active_user(user):
        return False
    return UnitOfficer.objects.filter(unit_id=_unit_id(unit), user_id=user.pk).exists()


def held_roles(user, *, fresh: bool = False) -> dict[str, frozenset[int] | None]:
    """Every portal-wide role ``user`` really holds, mapped to the unit ids it covers
    (``EVERYWHERE``/None: unrestricted). The superuser flag is ignored: this is for matching
    named slots, such as sign-off steps held by a role in a unit, to the people who fill them."""
    if not _is_active_user(user):
        return {}
    cache = _cache(user, fresh=fresh)
    held: dict[str, frozenset[int] | None] = {}
    for code, grants in cache["grants"].items():
        if any(scope_id is None for scope_id, _sub in grants):
            held[code] = EVERYWHERE
            continue
        exact = {scope_id for scope_id, sub in grants if not sub}
        trees = {scope_id for scope_id, sub in grants if sub}
        held[code] = frozenset(exact | (_subtree_ids(trees) if trees else set()))
    return held
