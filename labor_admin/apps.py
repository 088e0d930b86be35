from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborAdminConfig(AppConfig):
    name = "labor_admin"
    verbose_name = _("Labour administration cases")

    def ready(self):
        from core import audit
        from documents.hooks import signoff_hooks

        from . import tiles  # noqa: F401  (registers the intranet tiles)
        from .models import ApiClient, Case, CaseType
        from .services import transition_approved, transition_returned

        audit.register(Case, masked=("applicant_name", "applicant_phone"))
        audit.register(CaseType)
        audit.register(ApiClient)
        signoff_hooks.register(
            "labor_admin.Case", completed=transition_approved, returned=transition_returned
        )
