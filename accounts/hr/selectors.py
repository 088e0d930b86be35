"""Reads of the HR sync."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ..choices import UnitOfficerSource
from ..models import UnitOfficer, User

HR_OFFICES = Prefetch(
    "unit_offices",
    queryset=UnitOfficer.objects.filter(source=UnitOfficerSource.HR).order_by("pk"),
    to_attr="hr_offices",
)


def hr_unit_role(user: User) -> str:
    """The post (``head``/``deputy``) HR gave ``user`` in their unit; ``""`` when none. Uses
    the ``HR_OFFICES`` prefetch when the user was loaded with it."""
    offices = getattr(user, "hr_offices", None)
    if offices is None:
        offices = list(
            UnitOfficer.objects.filter(user=user, source=UnitOfficerSource.HR).order_by("pk")
        )
    for office in offices:
        if office.unit_id == user.organization_id:
            return office.kind
    return ""


def scim_users(*, attribute: str | None = None, value: str = "") -> QuerySet[User]:
    """Accounts for the SCIM list, optionally filtered on one attribute (``eq``).

    ``attribute`` is one of ``userName`` (case-insensitive, as SCIM defines it),
    ``employeeNumber`` (also ``externalId``) and ``email``.
    """
    users = User.objects.select_related("organization").prefetch_related(HR_OFFICES).order_by("pk")
    if attribute == "userName":
        users = users.filter(username__iexact=value)
    elif attribute == "employeeNumber":
        users = users.filter(employee_number=value)
    elif attribute == "email":
        users = users.filter(email__iexact=value)
    return users


def scim_user_get(*, user_id: str) -> User | None:
    if not str(user_id).isdigit():
        return None
    return (
        User.objects.select_related("organization")
        .prefetch_related(HR_OFFICES)
        .filter(pk=int(user_id))
        .first()
    )
