from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Tasks registered in the web process too: services enqueue them by name.
        from core.alerts import admin_alert_requested  # noqa: PLC0415

        from . import receivers, tasks, tiles  # noqa: F401, PLC0415

        # Alerts raised below this layer (core, accounts) are delivered here.
        admin_alert_requested.connect(
            receivers.admin_alert_received, dispatch_uid="notifications.admin_alert"
        )
