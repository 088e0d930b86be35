from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionConfig(AppConfig):
    name = "decision"
    verbose_name = _("Decision support")
