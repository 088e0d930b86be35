"""Per-person preferences: channels by kind, quiet hours, daily digest, language.

Defaults (no ``Preference`` row): information and to-dos by e-mail, alerts by e-mail and
SMS; quiet hours on, from ``NOTIFICATIONS_QUIET_START`` to ``NOTIFICATIONS_QUIET_END`` (local
time, Asia/Taipei); no digest; the site's language. The web inbox always gets every notice.

Quiet hours hold e-mail and SMS until they end; **alerts are never held** (and an alert
always goes by every channel the person has, whatever they chose: an alert that can be
switched off is not an alert).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Channel, NoticeKind
from ..models import Preference

DEFAULT_CHANNELS: dict[str, list[str]] = {
    NoticeKind.INFORMATION: [Channel.EMAIL],
    NoticeKind.TODO: [Channel.EMAIL],
    NoticeKind.ALERT: [Channel.EMAIL, Channel.SMS],
}


def _parse_time(value: str) -> time:
    hours, _sep, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def default_quiet() -> tuple[time, time]:
    return (
        _parse_time(settings.NOTIFICATIONS_QUIET_START),
        _parse_time(settings.NOTIFICATIONS_QUIET_END),
    )


def preference_for(user) -> Preference:
    """The person's ``Preference`` (an unsaved default when they never saved one)."""
    cached = getattr(user, "_notice_preference", None)
    if cached is not None:
        return cached
    pref = Preference.objects.filter(user_id=user.pk).first()
    if pref is None:
        pref = Preference(user=user, language=settings.LANGUAGE_CODE)
    user._notice_preference = pref
    return pref


def preferences_for(users) -> dict[int, Preference]:
    """Preferences of many people in one query (defaults for those without a row)."""
    found = {p.user_id: p for p in Preference.objects.filter(user__in=[u.pk for u in users])}
    return {
        u.pk: found.get(u.pk) or Preference(user_id=u.pk, language=settings.LANGUAGE_CODE)
        for u in users
    }


def channels_for(pref: Preference, kind: str) -> list[str]:
    """The channels beside the inbox for ``kind`` (alerts: every channel)."""
    if kind == NoticeKind.ALERT:
        return [Channel.EMAIL, Channel.SMS]
    chosen = (pref.channels or {}).get(kind)
    if chosen is None:
        chosen = DEFAULT_CHANNELS.get(kind, [Channel.EMAIL])
    return [c for c in chosen if c in Channel.values]


def quiet_window(pref: Preference) -> tuple[time, time] | None:
    if not pref.quiet_hours:
        return None
    start, end = default_quiet()
    return (pref.quiet_start or start, pref.quiet_end or end)


def hold_until(pref: Preference, kind: str, now: datetime | None = None) -> datetime | None:
    """When a message of ``kind`` may go out if ``now`` lies in the person's quiet hours
    (the end of them, local time); None to send now. Alerts: always None."""
    if kind == NoticeKind.ALERT:
        return None
    window = quiet_window(pref)
    if window is None:
        return None
    start, end = window
    if start == end:
        return None
    local = timezone.localtime(now or timezone.now())
    clock = local.time()
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release


def preference_update(
    *,
    user,
    actor,
    language: str,
    channels: dict[str, list[str]],
    quiet_hours: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    daily_digest: bool,
) -> Preference:
    """Save ``user``'s preferences. Only the person themself (or a superuser) may."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
    if quiet_hours and quiet_start and quiet_end and quiet_start == quiet_end:
        raise ValidationError(
            {"quiet_end": _("Quiet hours must end at another time than they start.")}
        )
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=user).first() or Preference(
            user=user
        )
        pref.language = language
        pref.channels = {
            kind: [c for c in channels.get(kind, []) if c in Channel.values]
            for kind in (NoticeKind.INFORMATION, NoticeKind.TODO)
        }
        pref.quiet_hours = quiet_hours
        pref.quiet_start = quiet_start
        pref.quiet_end = quiet_end
        pref.daily_digest = daily_digest
        pref.full_clean()
        pref.save()
    if hasattr(user, "_notice_preference"):
        del user._notice_preference
    return pref
