"""The app's notices, rendered in both languages from ``templates/meetings/notices/`` and
handed to ``notifications.services.notify`` in the caller's transaction."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from notifications.choices import NoticeKind, Priority
from notifications.recipients import RoleHolders, UnitOfficers
from notifications.services import notify

from ..roles import CONTROLLER, FILER

LANGUAGES = ("zh-hant", "en")


def texts(code: str, context: dict) -> tuple[dict, dict]:
    """``({"zh-hant": title, "en": title}, {… body …})`` of the notice ``code``."""
    titles, bodies = {}, {}
    for language in LANGUAGES:
        with translation.override(language):
            titles[language] = " ".join(
                render_to_string(f"meetings/notices/{code}.title.txt", context).split()
            )
            bodies[language] = render_to_string(
                f"meetings/notices/{code}.body.txt", context
            ).strip()
    return titles, bodies


def unit_filers(unit) -> list:
    """Who files for ``unit``: its ``meetings.filer`` holders, its head and deputies."""
    return [RoleHolders(FILER, unit), UnitOfficers(unit)]


def controllers(series) -> list:
    return [RoleHolders(CONTROLLER, series.unit_id)]


def send(
    code: str,
    *,
    recipients,
    obj,
    context: dict,
    kind: str = NoticeKind.INFORMATION,
    due=None,
    high: bool = False,
    link: str | None = None,
):
    title, body = texts(code, context)
    return notify(
        recipients=recipients,
        kind=kind,
        obj=obj,
        title=title,
        body=body,
        link=link,
        due=due,
        priority=Priority.HIGH if high else Priority.NORMAL,
        source="meetings",
    )
