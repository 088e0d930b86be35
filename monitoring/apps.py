from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Service monitoring")

    def ready(self):
        from celery.signals import task_failure, task_success

        from core import audit

        from . import signals
        from .models import (
            AlertTemplate,
            ApplicationGroup,
            ContactRule,
            EscalationStep,
            MaintenanceWindow,
            OnCallShift,
        )

        audit.register(ContactRule)
        audit.register(EscalationStep)
        audit.register(OnCallShift)
        audit.register(MaintenanceWindow)
        audit.register(AlertTemplate)
        audit.register(ApplicationGroup)
        task_success.connect(signals.beat_task_succeeded, weak=False)
        task_failure.connect(signals.beat_task_failed, weak=False)
