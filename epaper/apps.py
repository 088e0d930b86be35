from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpaperConfig(AppConfig):
    name = "epaper"
    verbose_name = _("E-papers")

    def ready(self):
        from core import audit

        # The tasks (send, bounces) register with Celery, the tiles with core.registry.
        from . import tasks, tiles  # noqa: F401
        from .models import Issue

        # Who scheduled, unscheduled or cancelled an issue, and when (the content and the
        # counters the sender updates are left out).
        audit.register(
            Issue,
            exclude=[
                "html",
                "text",
                "recipients",
                "sent_count",
                "failed_count",
                "bounced_count",
            ],
        )
