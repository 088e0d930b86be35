"""Retention: closed cases (answered, closed, rejected, merged) not changed for
``PETITIONS_RETENTION_DAYS`` lose the citizen's personal data; what the statistics need
(dates, category, county, status, source) stays."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import deliveries_erase

from ..choices import OPEN_STATUSES
from ..constants import ANONYMISED_NAME, ANONYMISED_TEXT
from ..models import Petition


def anonymise_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PETITIONS_RETENTION_DAYS)
    return list(
        Petition.objects.filter(anonymised_at__isnull=True, updated_at__lt=cutoff)
        .exclude(status__in=OPEN_STATUSES)
        .values_list("pk", flat=True)
    )


def petition_anonymise(*, petition_id: int, actor) -> bool:
    """Remove the citizen's personal data of a closed case. Idempotent (False when already
    done). ``actor=None`` is the retention job; a person must be allowed to manage the case
    (``Petition.objects.manageable_by``), and an open case is refused."""
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition_id)
        if actor is not None:
            if not Petition.objects.manageable_by(actor).filter(pk=petition.pk).exists():
                raise PermissionDenied(_("You may not change this case."))
            if petition.status in OPEN_STATUSES:
                raise ValidationError(_("An open case cannot be anonymised."), code="status")
        if petition.anonymised_at:
            return False
        for attachment in petition.attachments.all():
            attachment.file.delete(save=False)
        petition.attachments.all().delete()
        petition.inbound_messages.update(
            raw=b"", body_text="", from_address="", subject="", parsed={}
        )
        deliveries_erase(source=petition)
        petition.notes.update(text=ANONYMISED_TEXT)
        Petition.objects.filter(pk=petition.pk).update(
            citizen_name=ANONYMISED_NAME,
            citizen_email=f"anonymised-{petition.pk}@invalid.invalid",
            citizen_phone="",
            submitter_ip=None,
            subject=ANONYMISED_TEXT,
            body=ANONYMISED_TEXT,
            body_fingerprint="",
            reply_text=ANONYMISED_TEXT if petition.reply_text else "",
            anonymised_at=timezone.now(),
        )
    return True
