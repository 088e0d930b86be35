"""Reads of the MFA part: who needs a second factor, password age, sessions and tokens."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from ..models import (
    Application,
    ApplicationSignIn,
    DirectoryGroup,
    RoleAssignment,
    User,
    UserSession,
)
from .constants import BACKUP_DEVICE_NAME


def _valid_assignment() -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())


def _sensitive_role_filters() -> tuple[Q, Q]:
    """(direct assignment, via directory group) filters on User for a sensitive role."""
    today = timezone.localdate()
    direct = Exists(
        RoleAssignment.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            user_id=OuterRef("pk"),
            role__is_sensitive=True,
        )
    )
    via_group = Exists(
        DirectoryGroup.objects.filter(members=OuterRef("pk"), roles__is_sensitive=True)
    )
    return Q(direct), Q(via_group)


def _policy_by_flags(user: User) -> bool:
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    return bool(settings.MFA_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser))


def user_holds_sensitive_role(user: User) -> bool:
    """A sensitive role held directly (still valid) or through a directory group."""
    direct, via_group = _sensitive_role_filters()
    return User.objects.filter(direct | via_group, pk=user.pk).exists()


def mfa_required(user: User) -> bool:
    """Policy: administrators (staff, superusers) and holders of a sensitive role must use a
    second factor; ``MFA_REQUIRED_FOR_ALL`` extends it to everybody."""
    if not getattr(user, "pk", None):
        return False
    return _policy_by_flags(user) or user_holds_sensitive_role(user)


def totp_device_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator (one per user)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def mfa_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_needed(user: User) -> bool:
    """A login of ``user`` must pass the second-factor step (or enrolment first): the user has
    an authenticator, or the policy requires one. One query at most (checked on requests)."""
    if not getattr(user, "pk", None):
        return False
    if _policy_by_flags(user):
        return True
    direct, via_group = _sensitive_role_filters()
    has_device = Q(Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)))
    return User.objects.filter(has_device | direct | via_group, pk=user.pk).exists()


def backup_device_for(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()


def backup_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__name=BACKUP_DEVICE_NAME, device__confirmed=True
    ).count()


# --- Passwords ------------------------------------------------------------------------------


def password_expires_at(user: User):
    """When the local password expires, or None (no expiry configured, or no local password)."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + timedelta(days=days)


def password_expired(user: User) -> bool:
    expires = password_expires_at(user)
    return expires is not None and expires <= timezone.now()


# --- Sessions and tokens --------------------------------------------------------------------


def user_active_sessions(user: User):
    """Browser sessions of ``user`` that are still alive: not ended, seen within the idle
    timeout and younger than the absolute lifetime (older ones are dead even if never ended)."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_seen_at__gte=now - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gte=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
    ).order_by("-last_seen_at")


def user_tokens_by_application(user: User) -> list[dict]:
    """OAuth2 tokens issued to ``user``, one row per application: live access tokens, live
    refresh tokens, first issued, last issued, latest expiry."""
    now = timezone.now()
    access = (
        get_access_token_model()
        .objects.filter(user=user, expires__gt=now)
        .values("application_id")
        .annotate(n=Count("id"), first=Min("created"), last=Max("created"), until=Max("expires"))
    )
    refresh = (
        get_refresh_token_model()
        .objects.filter(user=user, revoked__isnull=True)
        .values("application_id")
        .annotate(n=Count("id"), first=Min("created"), last=Max("created"))
    )
    rows: dict[int, dict] = {}
    for item in access:
        rows[item["application_id"]] = {
            "access": item["n"],
            "refresh": 0,
            "first": item["first"],
            "last": item["last"],
            "until": item["until"],
        }
    for item in refresh:
        row = rows.setdefault(
            item["application_id"],
            {"access": 0, "refresh": 0, "first": item["first"], "last": item["last"]},
        )
        row["refresh"] = item["n"]
        row["first"] = min(row["first"], item["first"])
        row["last"] = max(row["last"], item["last"])
        row.setdefault("until", None)
    apps = Application.objects.in_bulk(rows.keys())
    # Where the person signed in to each application from (browser IP and device).
    sign_ins = {
        s.application_id: s
        for s in ApplicationSignIn.objects.filter(user=user, application_id__in=rows.keys())
    }
    result = [
        {"application": apps[app_id], "sign_in": sign_ins.get(app_id), **row}
        for app_id, row in rows.items()
        if app_id in apps
    ]
    return sorted(result, key=lambda r: r["last"], reverse=True)
