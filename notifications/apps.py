from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Tasks registered in the web process too: services enqueue them by name.
        from . import tasks, tiles  # noqa: F401, PLC0415
