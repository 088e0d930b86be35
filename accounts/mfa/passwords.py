"""Password history: a validator (in AUTH_PASSWORD_VALIDATORS) that refuses the user's last
``PASSWORD_HISTORY_COUNT`` passwords and records each new one when Django saves it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from ..models import PasswordHistory
from .services import password_history_record


class PasswordHistoryValidator:
    """Refuses a password equal to the current one or to one of the last N (Argon2 hashes
    kept in ``PasswordHistory``). ``password_changed`` is Django's hook after a password is
    saved by any path: the password change page, the admin, ``changepassword``, services."""

    def _count(self) -> int:
        return settings.PASSWORD_HISTORY_COUNT

    def validate(self, password, user=None):
        count = self._count()
        if not count or user is None or not getattr(user, "pk", None):
            return
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[:count]
        )
        if user.has_usable_password() and user.password not in hashes:
            hashes.insert(0, user.password)
        for encoded in hashes[: max(count, 1)]:
            if check_password(password, encoded):
                raise ValidationError(
                    ngettext(
                        "You used this password recently. Choose one that differs from "
                        "your last %(count)d password.",
                        "You used this password recently. Choose one that differs from "
                        "your last %(count)d passwords.",
                        count,
                    ),
                    code="password_reused",
                    params={"count": count},
                )

    def password_changed(self, password, user=None):
        if user is None:
            return
        password_history_record(user=user, password=password)

    def get_help_text(self):
        count = self._count()
        if not count:
            return ""
        return ngettext(
            "Your password cannot be the same as your last %(count)d password.",
            "Your password cannot be the same as any of your last %(count)d passwords.",
            count,
        ) % {"count": count}
