"""SMS gateways behind one interface.

``gateway()`` returns the configured backend (setting ``NOTIFICATIONS_SMS_BACKEND``, a dotted
path): ``mitake.MitakeGateway`` (三竹), ``every8d.Every8dGateway``, ``console.ConsoleGateway``
(prints) or ``file.FileGateway`` (appends JSON lines to ``NOTIFICATIONS_SMS_FILE``). A backend's
``send(to=, text=, client_id=)`` returns an ``SmsResult`` or raises ``SmsRejected`` (permanent:
bad number, refused content: the outbox falls back to e-mail at once) or ``SmsUnavailable``
(temporary: retried with backoff, then falls back).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import SmsGateway, SmsRejected, SmsResult, SmsUnavailable, normalise_mobile, to_e164

__all__ = [
    "SmsGateway",
    "SmsRejected",
    "SmsResult",
    "SmsUnavailable",
    "gateway",
    "normalise_mobile",
    "to_e164",
]


def gateway() -> SmsGateway:
    """The configured SMS backend (a new instance each call: settings may change in tests)."""
    return import_string(settings.NOTIFICATIONS_SMS_BACKEND)()
