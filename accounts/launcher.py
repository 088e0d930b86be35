"""Writes of the launcher: usage counts and personal quick links. Its reads are in
``accounts.selectors`` (``launcher_applications``, ``quick_links_for``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import MAX_QUICK_LINKS
from .models import Application, LauncherUsage, QuickLink, User

ALLOWED_SCHEMES = ("http", "https")


def url_is_web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)


@transaction.atomic
def launcher_usage_record(*, user: User, application: Application) -> None:
    """Count one opening of ``application`` from the launcher (an F() update, race-free)."""
    now = timezone.now()
    updated = LauncherUsage.objects.filter(user=user, application=application).update(
        open_count=F("open_count") + 1, last_opened_at=now
    )
    if not updated:
        _, created = LauncherUsage.objects.get_or_create(
            user=user,
            application=application,
            defaults={"open_count": 1, "last_opened_at": now},
        )
        if not created:  # another request created it in between
            LauncherUsage.objects.filter(user=user, application=application).update(
                open_count=F("open_count") + 1, last_opened_at=now
            )


@transaction.atomic
def quick_link_add(*, user: User, title: str, url: str) -> QuickLink:
    """Add a personal link at the end of the user's list (http and https only)."""
    if not url_is_web(url):
        raise ValidationError({"url": _("Enter a web address starting with http:// or https://.")})
    # Lock the user's row so two adds cannot take the same place.
    User.objects.select_for_update().filter(pk=user.pk).first()
    links = QuickLink.objects.filter(user=user)
    if links.count() >= MAX_QUICK_LINKS:
        raise ValidationError(
            _("You can keep at most %(max)d quick links.") % {"max": MAX_QUICK_LINKS}
        )
    last = links.aggregate(last=Max("sort_order"))["last"]
    link = QuickLink(user=user, title=title.strip(), url=url.strip(), sort_order=(last or 0) + 1)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def quick_link_remove(*, user: User, link_id: int) -> bool:
    deleted, _ = QuickLink.objects.filter(user=user, pk=link_id).delete()
    return bool(deleted)


@transaction.atomic
def quick_link_move(*, user: User, link_id: int, direction: str) -> bool:
    """Move one of the user's links one place ``up`` or ``down``. False when it is not theirs
    or already at that end."""
    links = list(
        QuickLink.objects.select_for_update().filter(user=user).order_by("sort_order", "id")
    )
    index = next((i for i, link in enumerate(links) if link.pk == link_id), None)
    if index is None:
        return False
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(links):
        return False
    links[index], links[other] = links[other], links[index]
    for position, link in enumerate(links, start=1):
        if link.sort_order != position:
            link.sort_order = position
            link.save(update_fields=["sort_order"])
    return True
