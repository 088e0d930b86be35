"""Signed links in every e-paper mail: the preferences page and the one-click unsubscribe.

A token is ``django.core.signing`` over ``(subscriber id, link version[, newsletter code])``
with its own salt, so it needs no database row, cannot be forged or altered (a tampered token
is refused), and is revoked for all of a subscriber's mails at once by raising
``Subscriber.link_version`` (done when the address is erased). Tokens do not expire: a
newsletter read months later must still let its reader leave.
"""

from __future__ import annotations

from django.core import signing

from ..models import Newsletter, Subscriber, SubscriberState

_PREFERENCES_SALT = "epaper.preferences"
_UNSUBSCRIBE_SALT = "epaper.unsubscribe"


def preferences_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.link_version], salt=_PREFERENCES_SALT)


def unsubscribe_token(subscriber: Subscriber, newsletter: Newsletter) -> str:
    """The RFC 8058 one-click token: leaves ``newsletter`` only."""
    return signing.dumps(
        [subscriber.pk, subscriber.link_version, newsletter.code], salt=_UNSUBSCRIBE_SALT
    )


def _load(token: str, salt: str) -> list | None:
    try:
        value = signing.loads(token or "", salt=salt)
    except signing.BadSignature:
        return None
    return value if isinstance(value, list) else None


def _subscriber(pk, version) -> Subscriber | None:
    if not isinstance(pk, int) or not isinstance(version, int):
        return None
    return (
        Subscriber.objects.exclude(state=SubscriberState.ERASED)
        .filter(pk=pk, link_version=version)
        .first()
    )


def subscriber_for_preferences(token: str) -> Subscriber | None:
    """The subscriber a preferences token names, or None (bad, tampered, revoked, erased)."""
    value = _load(token, _PREFERENCES_SALT)
    if value is None or len(value) != 2:
        return None
    return _subscriber(*value)


def subscription_for_unsubscribe(token: str) -> tuple[Subscriber, Newsletter] | None:
    """``(subscriber, newsletter)`` an unsubscribe token names, or None."""
    value = _load(token, _UNSUBSCRIBE_SALT)
    if value is None or len(value) != 3 or not isinstance(value[2], str):
        return None
    subscriber = _subscriber(value[0], value[1])
    newsletter = Newsletter.objects.filter(code=value[2]).first()
    if subscriber is None or newsletter is None:
        return None
    return subscriber, newsletter
