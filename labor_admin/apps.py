from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborAdminConfig(AppConfig):
    name = "labor_admin"
    verbose_name = _("Labour administration cases")
