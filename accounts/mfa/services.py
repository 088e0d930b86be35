"""Writes of the MFA part: second-factor devices and backup codes, password history, lockout
release, session records. Every security event is written to the core audit log."""

from __future__ import annotations

import re

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.choices import AuditAction
from core.services import audit_record

from ..models import PasswordHistory, User, UserSession
from ..oidc.backchannel import notify_session_keys_end
from ..services import user_sessions_end_all, user_tokens_revoke
from .constants import BACKUP_DEVICE_NAME, TOTP_DEVICE_NAME
from .selectors import backup_codes_remaining, backup_device_for, totp_device_for

_SEPARATORS = re.compile(r"[\s\-]+")


# --- Second factor --------------------------------------------------------------------------


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (its key is shown as a QR code). Earlier
    unconfirmed ones are dropped; a confirmed one stays until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm an enrolment with the first code from the app. Returns the new backup codes,
    or None when the code is wrong (nothing changes then)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(_normalise(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = backup_codes_generate(user=device.user, audit=False)
    audit_record(
        action=AuditAction.OTHER,
        obj=device.user,
        actor=device.user,
        message="2fa enrolled: authenticator app and backup codes",
    )
    return codes


@transaction.atomic
def backup_codes_generate(*, user: User, audit: bool = True) -> list[str]:
    """Replace the user's backup codes with ``MFA_BACKUP_CODES`` new single-use codes and
    return them (they are shown once)."""
    device = backup_device_for(user)
    if device is None:
        device = StaticDevice(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        device.full_clean()
        device.save()
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < settings.MFA_BACKUP_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    if audit:
        audit_record(action=AuditAction.OTHER, obj=user, message="2fa backup codes regenerated")
    return codes


def _normalise(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def mfa_code_kind(code: str) -> str:
    """'totp' for 6 or 8 digits, else 'backup'."""
    code = _normalise(code)
    return "totp" if code.isdigit() and len(code) in (6, 8) else "backup"


def mfa_verify(*, user: User, code: str):
    """Check a code from the authenticator app or a backup code. Returns the device that
    accepted it, else None. Audited either way; a used backup code is gone."""
    code = _normalise(code)
    kind = mfa_code_kind(code)
    with transaction.atomic():
        if kind == "totp":
            device = totp_device_for(user)
        else:
            device = backup_device_for(user)
        if device is not None:
            device = type(device).objects.select_for_update().get(pk=device.pk)
        accepted = device is not None and device.confirmed and device.verify_token(code)
    if accepted:
        if kind == "backup":
            left = backup_codes_remaining(user)
            message = f"2fa verified with a backup code; {left} left"
        else:
            message = "2fa verified with the authenticator app"
        audit_record(action=AuditAction.OTHER, obj=user, actor=user, message=message)
        return device
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        actor_repr=user.get_username(),
        message=f"2fa failed ({kind})",
    )
    return None


def mfa_throttle_wait(*, user: User) -> int:
    """Seconds before the authenticator accepts another try (django-otp throttling), or 0."""
    device = totp_device_for(user)
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


@transaction.atomic
def mfa_reset(*, user: User, by: User | None, reason: str = "reset by an administrator") -> int:
    """Remove every second-factor device of ``user`` (authenticator and backup codes). A user
    the policy requires 2FA of enrols again at the next login."""
    count = 0
    for model in (TOTPDevice, StaticDevice):
        deleted, _ = model.objects.filter(user=user).delete()
        count += deleted
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=by,
        message=f"2fa reset: {reason}",
    )
    return count


# --- Passwords ------------------------------------------------------------------------------


@transaction.atomic
def password_history_record(*, user: User, password: str) -> None:
    """Remember the hash of the password just saved; keep the last ``PASSWORD_HISTORY_COUNT``.
    Called by Django whenever a password is saved (``PasswordHistoryValidator.password_changed``).
    The same password saved again (a re-hash with new Argon2 parameters, say) replaces the
    newest entry instead of pushing an old password out of the window."""
    keep = settings.PASSWORD_HISTORY_COUNT
    if not keep or not user.pk or not user.has_usable_password():
        return
    entries = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
    latest = entries.first()
    if latest is not None and check_password(password, latest.password):
        latest.password = user.password
        latest.save(update_fields=["password"])
        return
    entry = PasswordHistory(user=user, password=user.password)
    entry.full_clean()
    entry.save()
    old = list(entries.values_list("pk", flat=True)[keep:])
    PasswordHistory.objects.filter(pk__in=old).delete()


def password_change_audit(*, user: User) -> None:
    audit_record(action=AuditAction.UPDATE, obj=user, actor=user, message="password changed")


# --- Lockouts -------------------------------------------------------------------------------


def login_lockout_clear(*, user: User, by: User | None) -> int:
    """Release a lockout of ``user``'s login name (django-axes attempts, any letter case).
    Lockouts of an IP address are released in the axes admin (access attempts)."""
    names = set(
        AccessAttempt.objects.filter(username__iexact=user.get_username()).values_list(
            "username", flat=True
        )
    ) | {user.get_username()}
    count = sum(AxesProxyHandler.reset_attempts(username=name) for name in names)
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=by,
        message=f"login lockout cleared ({count} failed attempts)",
    )
    return count


def lockout_audit(*, username: str, ip_address: str | None) -> None:
    """A login locked out by django-axes (after the limit, and each try while locked)."""
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        actor_repr=username or "",
        message=f"locked out username={username or ''} ip={ip_address or ''}",
        ip_address=ip_address,
    )


# --- Session records ------------------------------------------------------------------------


def session_record_logout(*, session_key: str | None) -> int:
    """Mark the browser session record ended (the user logged out or timed out)."""
    if not session_key:
        return 0
    return UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def session_record_rekey(*, old_key: str | None, new_key: str | None) -> int:
    """The session key changed (e.g. after a password change): keep the record attached."""
    if not old_key or not new_key or old_key == new_key:
        return 0
    return UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_record_seen(*, session_key: str, now) -> int:
    return UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=now
    )


def user_other_sessions_end(
    *, user: User, current_key: str | None, by: User | None, reason: str = "by the user"
) -> int:
    """End every browser session of ``user`` except the current one."""
    # The applications signed in from those sessions are told, before the sessions go.
    others = user.browser_sessions.filter(ended_at__isnull=True).exclude(
        session_key=current_key or ""
    )
    notify_session_keys_end(
        user_id=user.pk, session_keys=list(others.values_list("session_key", flat=True))
    )
    count = user_sessions_end_all(user=user, except_key=current_key, by=by)
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=by,
        message=f"other sessions ended ({reason}): {count}",
    )
    return count


def user_application_sign_out(*, user: User, application, by: User | None) -> int:
    """Revoke the tokens ``user`` holds for one application."""
    count = user_tokens_revoke(user=user, application=application)
    if count:
        audit_record(
            action=AuditAction.OTHER,
            obj=user,
            actor=by,
            message=f"tokens revoked application={application.pk}: {count}",
        )
    return count
