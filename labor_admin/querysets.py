"""The one isolation rule, as queryset methods (``Case.objects.visible_to(who)``).

``who`` is a person or an ``ApiClient``:

- a person sees the cases of every unit where a role of this app covers it
  (``labor_admin.clerk``, ``.supervisor`` or ``.viewer``, through ``accounts.authz.scope_q``):
  a unit's staff hold a role in their unit, a county authority's staff with its sub-units
  (its offices), the ministry's staff ``viewer`` unrestricted (all, read-only);
- an API client sees the cases of the one unit it is bound to, nothing else;
- anyone else sees nothing.

``writable_by(who)`` keeps the cases ``who`` may change (clerk or supervisor in the unit, or a
writing API client of the unit). Pages, API, exports, search, the admin and the board all start
from these two methods.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts import authz

from .constants import READ_ROLES, WRITE_ROLES

#: What ``accounts.authz.scope_q`` answers for a role held everywhere.
_EVERY_ROW = Q(pk__isnull=False)


def _is_client(who) -> bool:
    return isinstance(who, ApiClientLike)


class ApiClientLike:
    """Marker base of ``models.ApiClient`` (kept here so this module needs no model import)."""

    unit_id: int
    active: bool
    may_write: bool


def unit_q(who, roles=READ_ROLES, field: str = "unit") -> Q:
    """A ``Q`` keeping rows whose ``field`` (a unit foreign key) ``who`` covers with ``roles``
    (an API client: its own unit, when active, and for writing only when it may write)."""
    if _is_client(who):
        allowed = who.active and (roles != WRITE_ROLES or who.may_write)
        return Q(**{f"{field}__in": [who.unit_id]}) if allowed else Q(pk__in=[])
    q = Q(pk__in=[])
    for role in roles:
        part = authz.scope_q(who, role, field=field)
        if part == _EVERY_ROW:
            return Q()  # no condition at all: an OR with "every row" keeps the planner off indexes
        q |= part
    return q


class CaseQuerySet(models.QuerySet):
    def visible_to(self, who):
        return self.filter(unit_q(who, READ_ROLES))

    def writable_by(self, who):
        return self.filter(unit_q(who, WRITE_ROLES))

    def overdue(self, today):
        return self.filter(is_open=True, due_on__lt=today)
