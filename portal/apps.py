from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Employee portal")

    def ready(self):
        from core import audit
        from documents.hooks import signoff_hooks

        # The jobs register with Celery, the tiles with core.registry.
        from . import tasks, tiles  # noqa: F401
        from .models import Booking, BookingSeries, Room
        from .selectors import mine  # noqa: F401  (the room bookings' "My requests" provider)
        from .services import booking_approved, booking_refused

        # A restricted room's booking (or series) approved or refused by its room manager.
        for model in ("portal.Booking", "portal.BookingSeries"):
            signoff_hooks.register(model, completed=booking_approved, returned=booking_refused)
        audit.register(Room)
        audit.register(Booking, exclude=["reminded_at"])
        audit.register(BookingSeries)
