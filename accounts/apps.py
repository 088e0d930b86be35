from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .roles import roles_sync_after_migrate


class AccountsConfig(AppConfig):
    default = True
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
        # The tasks register with Celery (accounts.oidc.backchannel queues its delivery task by
        # name), the tiles with the home page.
        from . import tasks, tiles  # noqa: F401
        from .mfa import receivers  # noqa: F401  (MFA part: lockout audit)
        from .oidc import receivers as oidc_receivers  # noqa: F401  (OIDC: counters, logout)


class PortalAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the portal's admin site as the default site. Named in
    ``INSTALLED_APPS`` in place of ``django.contrib.admin``; ``default = False`` keeps
    ``AccountsConfig`` the config of the ``accounts`` entry."""

    default = False

    default_site = "accounts.admin_site.PortalAdminSite"
