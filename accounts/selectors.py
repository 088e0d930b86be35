"""Reads of the accounts app shared by its parts: the launcher's applications and links.

Who may use which application is the OpenID Connect part's access policy
(``accounts.oidc.selectors.applications_for_user``): the launcher shows exactly the
applications that policy admits, so a tile never leads to a refusal page.
"""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Application, LauncherUsage, QuickLink, User
from .oidc.selectors import applications_for_user


def launcher_applications(user: User) -> QuerySet[Application]:
    """The launcher's tiles: applications the access policy admits ``user`` to that are shown
    in the launcher and have a launch address; most opened by this user first, then by name."""
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
