from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Citizen mailbox")

    def ready(self):
        from . import public_tasks, tiles  # noqa: F401  (registers tasks and the public tile)
