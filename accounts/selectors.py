"""Reads of the accounts app shared by its parts.

``applications_for_user`` is the access policy of applications (who may use which client):
the launcher shows these, and the OpenID Connect side may use the same rule when it decides
whether to let a user into an application.
"""

from __future__ import annotations

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Application, DirectoryGroup, LauncherUsage, QuickLink, RoleAssignment, User


def user_unit_chain_ids(user: User) -> set[int]:
    """The user's unit and every unit above it (a unit in an allowed subtree has an allowed
    unit among these)."""
    unit = user.organization
    if unit is None:
        return set()
    return {unit.pk, *(u.pk for u in unit.ancestors())}


def user_role_ids(user: User) -> set[int]:
    """Roles the user holds now: assigned (and not past ``valid_until``) or through a directory
    group mapped to the role."""
    today = timezone.localdate()
    direct = RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today), user=user
    ).values_list("role_id", flat=True)
    via_groups = DirectoryGroup.roles.through.objects.filter(
        directorygroup__members=user
    ).values_list("role_id", flat=True)
    return set(direct) | set(via_groups)


def applications_for_user(user: User) -> QuerySet[Application]:
    """Applications ``user`` may use. An application with none of ``allowed_units``,
    ``allowed_roles``, ``allowed_directory_groups`` set is open to every active user;
    otherwise the user must be in an allowed unit or below it, OR hold an allowed role, OR be a
    member of an allowed directory group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Application.objects.none()
    units = Application.allowed_units.through.objects.filter(application_id=OuterRef("pk"))
    roles = Application.allowed_roles.through.objects.filter(application_id=OuterRef("pk"))
    groups = Application.allowed_directory_groups.through.objects.filter(
        application_id=OuterRef("pk")
    )
    open_to_all = ~Exists(units) & ~Exists(roles) & ~Exists(groups)
    group_ids = list(user.directory_groups.values_list("pk", flat=True))
    allowed = (
        Exists(units.filter(organization_id__in=user_unit_chain_ids(user)))
        | Exists(roles.filter(role_id__in=user_role_ids(user)))
        | Exists(groups.filter(directorygroup_id__in=group_ids))
    )
    return Application.objects.filter(open_to_all | allowed)


def launcher_applications(user: User) -> QuerySet[Application]:
    """The launcher's tiles: applications the user may use that are shown in the launcher and
    have a launch address, most opened by this user first, then by name."""
    usage = LauncherUsage.objects.filter(user=user, application_id=OuterRef("pk"))
    return (
        applications_for_user(user)
        .filter(show_in_launcher=True)
        .exclude(launch_url="")
        .annotate(
            open_count=Coalesce(
                Subquery(usage.values("open_count")[:1]), Value(0), output_field=IntegerField()
            ),
            last_opened_at=Subquery(usage.values("last_opened_at")[:1]),
        )
        .order_by("-open_count", "name", "pk")
    )


def quick_links_for(user: User) -> QuerySet[QuickLink]:
    return QuickLink.objects.filter(user=user).order_by("sort_order", "id")
