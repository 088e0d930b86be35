from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meeting tracking")

    def ready(self):
        from core import audit
        from documents.hooks import signoff_hooks

        # The jobs register with Celery, the tiles with core.registry.
        from . import tasks, tiles  # noqa: F401
        from .models import LateChangeRequest, TrackedCase
        from .services import closure_approved, closure_returned

        signoff_hooks.register(
            "meetings.CaseDecision", completed=closure_approved, returned=closure_returned
        )
        # Who granted or refused a late change, and every change of a tracked case's state.
        audit.register(LateChangeRequest)
        audit.register(TrackedCase, exclude=["updated_at"])
