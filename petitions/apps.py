from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Citizen mailbox")

    def ready(self):
        # Imported here, once the models are loaded: the tasks register with Celery (services
        # enqueue them by name), the tiles with the home page.
        from documents.hooks import signoff_hooks, source_attachments  # noqa: PLC0415

        from . import tasks, tiles  # noqa: F401, PLC0415
        from .selectors.staff import document_attachments  # noqa: PLC0415
        from .services import cases  # noqa: PLC0415

        signoff_hooks.register(
            "petitions.Petition",
            completed=cases.reply_signoff_approved,
            returned=cases.reply_signoff_returned,
            approve_check=cases.reply_approve_check,
        )
        source_attachments.register("petitions.Petition", document_attachments)
