from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and single sign-on")

    def ready(self):
        from core import audit

        from .models import User

        audit.register(
            User,
            masked=["email", "mobile", "name_zh", "name_en", "first_name", "last_name"],
        )
        from .mfa import receivers, tiles  # noqa: F401  (MFA part: lockout audit, tiles)
        from .oidc import receivers as oidc_receivers  # noqa: F401  (OIDC: counters, logout)
