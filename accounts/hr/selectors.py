"""Reads of the HR sync."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import User


def scim_users(*, attribute: str | None = None, value: str = "") -> QuerySet[User]:
    """Accounts for the SCIM list, optionally filtered on one attribute (``eq``).

    ``attribute`` is one of ``userName`` (case-insensitive, as SCIM defines it),
    ``employeeNumber`` (also ``externalId``) and ``email``.
    """
    users = User.objects.select_related("organization").order_by("pk")
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
    return User.objects.select_related("organization").filter(pk=int(user_id)).first()
