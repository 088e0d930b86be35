from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Citizen mailbox")

    def ready(self):
        from documents.hooks import signoff_hooks

        from . import public_tasks, tasks, tiles  # noqa: F401  (registers tasks and the public tile)
        from .services import staff

        signoff_hooks.register(
            "petitions.Petition",
            completed=staff.reply_signoff_approved,
            returned=staff.reply_signoff_returned,
        )
