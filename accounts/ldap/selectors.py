"""Reads of the LDAP part: which directories exist, where a login name goes, group state."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from ..models import DirectoryGroup
from .config import Directory, get_directories, get_directory


def directory_choices(language: str | None = None) -> list[tuple[str, str]]:
    """``(key, agency name)`` pairs for a domain picker on the login form, in settings order.

    Empty when no directory is configured (then the form should not show a picker)."""
    return [(d.key, d.label(language)) for d in get_directories()]


@dataclass(frozen=True)
class LoginTarget:
    """Where a login goes. ``directory`` is None when the domain named no directory."""

    directory: Directory | None
    name: str  # the login name without its domain, as the directory knows it
    domain: str  # what the user typed as the domain (or picked), lower-case


def directory_for_login(username: str, directory: str | None = None) -> LoginTarget | None:
    """Route a login to a directory.

    ``name@agency`` (agency: the directory's key, domain, short domain or an alias) and
    ``AGENCY\\name`` name the directory in the login itself; ``directory`` is the key picked
    on the login form. A domain typed into the name wins over the picker when it names a
    directory. Returns None for a plain name with no directory picked: that login is for
    local accounts only, and so is every login while no directory is configured.
    """
    if not get_directories():
        return None
    username = (username or "").strip()
    picked = (directory or "").strip().lower()
    name, typed = username, ""
    if "\\" in username:
        typed, _, name = username.partition("\\")
    elif "@" in username:
        name, _, typed = username.rpartition("@")
    typed = typed.strip().lower()
    if typed:
        match = _by_domain(typed)
        if match is not None:
            return LoginTarget(match, name.strip(), typed)
        if not picked:
            return LoginTarget(None, name.strip(), typed)
        # Picked a directory and typed something else after @: a UPN-style name, pass as is.
        name = username
    if picked:
        return LoginTarget(get_directory(picked), name.strip(), picked)
    return None


def _by_domain(domain: str) -> Directory | None:
    return next((d for d in get_directories() if domain in d.login_domains), None)


def directory_groups(directory: str | None = None) -> QuerySet[DirectoryGroup]:
    qs = DirectoryGroup.objects.annotate(member_count=Count("members", distinct=True))
    if directory:
        qs = qs.filter(directory=directory)
    return qs.prefetch_related("roles").order_by("directory", "name")
