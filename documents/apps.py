from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official documents")

    def ready(self):
        from core import audit

        from . import tiles  # noqa: F401  (registers the intranet tiles)
        from .models import Delegation, Document, DocumentSeries

        audit.register(Document)
        audit.register(DocumentSeries)
        audit.register(Delegation)
