"""Receivers of the signals the layers below send (``core`` and ``accounts`` may not import
notifications). Connected in ``NotificationsConfig.ready()``.

- ``core.alerts.admin_alert_requested`` → :func:`admin_alert_received`: an alert notice (high
  priority: inbox, e-mail and SMS, never held by quiet hours) to every active superuser, and an
  e-mail through the outbox to each ``ADMINS`` address that is no active superuser's.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from core.alerts import alert_text
from core.http import absolute_url

from .choices import NoticeKind, Priority
from .services import notify, outbox_email

logger = logging.getLogger(__name__)


def admin_alert_received(
    sender, *, key: str, subject, body, source: str, link: str = "", **kwargs
) -> int:
    """Deliver one ``core.alerts.admin_alert`` inside the caller's transaction (a savepoint
    of its own: a failure here rolls back only the alert). Returns how many people or
    addresses it went to (0 is logged as an error: nobody to tell)."""
    source = (source or "portal")[:100]
    kind = key if key.startswith(f"{source}.") else f"{source}.{key}"
    with transaction.atomic():
        superusers = list(
            get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")
        )
        notices = notify(
            recipients=superusers,
            kind=NoticeKind.ALERT,
            title=subject,
            body=body or "",
            link=link,
            priority=Priority.HIGH,
            source=source,
        )
        covered = {u.email.strip().lower() for u in superusers if u.email}
        text = alert_text(body).rstrip() + "\n"
        if link:
            text += "\n" + absolute_url(link, settings.NOTIFICATIONS_SITE_URL) + "\n"
        mailed: set[str] = set()
        for _name, address in settings.ADMINS:
            address = (address or "").strip()
            if not address or address.lower() in covered | mailed:
                continue
            try:
                outbox_email(
                    to=address,
                    subject=settings.EMAIL_SUBJECT_PREFIX + alert_text(subject),
                    text=text,
                    kind=kind,
                )
            except ValidationError:
                logger.error("admin alert %s: ADMINS address %r is not valid", key, address)
                continue
            mailed.add(address.lower())
    reached = len(notices) + len(mailed)
    if not reached:
        logger.error(
            "admin alert %s from %s reached nobody (no active superuser, no ADMINS): %s\n%s",
            key,
            source,
            alert_text(subject),
            alert_text(body),
        )
    return reached
