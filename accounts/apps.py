from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .roles import roles_sync_after_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and single sign-on")

    def ready(self):
        post_migrate.connect(
            roles_sync_after_migrate, sender=self, dispatch_uid="accounts.roles_sync"
        )
        from core import audit

        from .models import UnitOfficer, User

        audit.register(
            User,
            masked=["email", "mobile", "name_zh", "name_en", "first_name", "last_name"],
        )
        audit.register(UnitOfficer)
        from .mfa import receivers, tiles  # noqa: F401  (MFA part: lockout audit, tiles)
        from .oidc import receivers as oidc_receivers  # noqa: F401  (OIDC: counters, logout)
