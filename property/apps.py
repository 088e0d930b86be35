from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertyConfig(AppConfig):
    name = "property"
    verbose_name = _("Property management")

    def ready(self):
        from accounts.signals import person_deactivated, person_moved
        from documents.hooks import signoff_hooks

        from . import services, tasks, tiles  # noqa: F401  (tiles and periodic tasks)
        from .models import Movement

        signoff_hooks.register(
            Movement,
            completed=services.movement_approved,
            returned=services.movement_returned,
        )
        # HR sync: a person who left or moved gets their hand-over drafted at once (the hourly
        # ``draft_handovers`` sweep stays as the safety net; drafting is idempotent).
        person_deactivated.connect(
            services.handover_on_person_deactivated,
            dispatch_uid="property.handover_on_person_deactivated",
        )
        person_moved.connect(
            services.handover_on_person_moved, dispatch_uid="property.handover_on_person_moved"
        )
