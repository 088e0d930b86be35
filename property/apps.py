from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertyConfig(AppConfig):
    name = "property"
    verbose_name = _("Property management")

    def ready(self):
        from documents.hooks import signoff_hooks

        from . import services, tasks, tiles  # noqa: F401  (tiles and periodic tasks)
        from .models import Movement

        signoff_hooks.register(
            Movement,
            completed=services.movement_approved,
            returned=services.movement_returned,
        )
