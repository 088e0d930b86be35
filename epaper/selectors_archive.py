"""Reads of the archive and of the editors' pages.

- The public archive shows an issue once it is *published* (``published_at`` set: the send
  started, state sending or sent), newest first; nothing else of an issue is ever public.
- Editors: a person may edit a newsletter's issues when they hold its editors' role
  (``Newsletter.editor_role``) or ``epaper.manager`` (``accounts.authz.has_role``; superusers
  hold every role). ``editable_newsletters`` is the one list the editors' pages, the tile and
  the services build on.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import authz

from .models import Issue, IssueAsset, Newsletter
from .roles import MANAGER


def archive_newsletters() -> QuerySet[Newsletter]:
    """Every newsletter, in its order (an inactive one keeps its archive)."""
    return Newsletter.objects.order_by("sort_order", "code")


def published_issues(newsletter: Newsletter | None = None) -> QuerySet[Issue]:
    """Issues with ``published_at`` set, newest first (of ``newsletter`` when given)."""
    issues = Issue.objects.filter(published_at__isnull=False, number__isnull=False)
    if newsletter is not None:
        issues = issues.filter(newsletter=newsletter)
    return issues.select_related("newsletter").order_by("-published_at", "-number")


def published_issue(*, newsletter: Newsletter, number: int) -> Issue | None:
    return published_issues(newsletter).filter(number=number).first()


def may_edit(user, newsletter: Newsletter) -> bool:
    """Whether ``user`` may write, preview, schedule and test-send ``newsletter``'s issues."""
    if authz.has_role(user, MANAGER):
        return True
    return bool(newsletter.editor_role) and authz.has_role(user, newsletter.editor_role)


def editable_newsletters(user) -> list[Newsletter]:
    """The newsletters ``user`` may edit, in their order (one query; roles are cached)."""
    if not getattr(user, "is_authenticated", False):
        return []
    newsletters = list(archive_newsletters())
    if authz.has_role(user, MANAGER):
        return newsletters
    return [n for n in newsletters if n.editor_role and authz.has_role(user, n.editor_role)]


def is_editor(user) -> bool:
    """Whether ``user`` may edit at least one newsletter (the intranet tile). Asked on every
    intranet page: a person holding no role at all costs no query (the roles are cached on
    the user by ``accounts.authz``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if authz.has_role(user, MANAGER):  # superusers too
        return True
    held = authz.held_roles(user)
    return bool(held) and Newsletter.objects.filter(editor_role__in=list(held)).exists()


def editor_issues(newsletter: Newsletter) -> QuerySet[Issue]:
    """Every issue of ``newsletter`` for its editors, whatever its state, newest first."""
    return (
        Issue.objects.filter(newsletter=newsletter)
        .select_related("newsletter", "created_by")
        .order_by("-created_at", "-id")
    )


def asset_readable(asset: IssueAsset, user) -> bool:
    """An image of a published issue is public; of any other issue only its editors see it."""
    issue = asset.issue
    if issue.published_at is not None:
        return True
    return may_edit(user, issue.newsletter)
