"""Alerts for the administrators, raised from any layer (``accounts`` included).

``core`` and ``accounts`` sit below ``notifications`` and may not import it, so they raise an
alert through this port and the notifications app delivers it (``notifications/receivers.py``:
an alert notice to every active superuser and an e-mail through the outbox to each ``ADMINS``
address that belongs to none of them, in the caller's transaction)::

    from core.alerts import admin_alert

    admin_alert(
        key="accounts.hr_sync_refused",  # what the alert is about: "<app>.<what>"
        subject="HR sync refused: 12 deactivations held back",
        body="…",  # plain text
        source="accounts",  # the app raising it (the notice's source)
    )

``subject`` and ``body`` are text, or ``{"zh-hant": …, "en": …}`` so each administrator reads
it in their language (``in_each_language`` builds that). Deciding *whether* to alert (once
per outage, once a day for the same feed) is the caller's job. When no receiver is connected,
or a receiver fails, the alert is logged as an error with its whole text, so it is never lost
silently; the caller's work goes on either way (a receiver wraps its writes in a savepoint,
so a failing one rolls back only its own part).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.dispatch import Signal
from django.utils import translation

logger = logging.getLogger(__name__)

# Sent with ``key``, ``subject``, ``body``, ``source`` and ``link`` (keyword arguments).
admin_alert_requested = Signal()


def in_each_language(build: Callable[[], str]) -> dict[str, str]:
    """``{language: build()}`` for every language of the portal, ``build`` called with that
    language active (so ``gettext`` inside it translates)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(build())
    return texts


def alert_text(value, language: str | None = None) -> str:
    """A plain alert text, or the ``language`` entry (default ``LANGUAGE_CODE``) of a
    ``{language: text}`` mapping (any entry when that one is missing)."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    language = (language or settings.LANGUAGE_CODE).lower()
    lowered = {str(k).lower(): v for k, v in value.items() if v}
    for key in (language, language.split("-")[0]):
        if key in lowered:
            return str(lowered[key])
    return str(next(iter(lowered.values()), ""))


def admin_alert(*, key: str, subject, body, source: str, link: str = "") -> bool:
    """Alert the administrators (see the module docstring). Returns True when a receiver
    took the alert; False when none is connected or one failed (then it is logged as an
    error with its text)."""
    subject_text = alert_text(subject)
    logger.warning("admin alert %s from %s: %s", key, source, subject_text)
    if not admin_alert_requested.has_listeners():
        logger.error(
            "admin alert %s from %s was not delivered (no receiver connected): %s\n%s",
            key,
            source,
            subject_text,
            alert_text(body),
        )
        return False
    delivered = True
    for receiver, result in admin_alert_requested.send_robust(
        sender=admin_alert, key=key, subject=subject, body=body, source=source, link=link
    ):
        if isinstance(result, Exception):
            delivered = False
            logger.error(
                "admin alert %s from %s: receiver %s failed; the alert was: %s\n%s",
                key,
                source,
                getattr(receiver, "__qualname__", receiver),
                subject_text,
                alert_text(body),
                exc_info=result,
            )
    return delivered


__all__ = ["admin_alert", "admin_alert_requested", "alert_text", "in_each_language"]
