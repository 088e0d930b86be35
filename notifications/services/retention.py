"""Erasing what the outbox kept about something that is being anonymised, and the files of
deliveries that retention deletes."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from ..choices import DeliveryState
from ..models import Delivery, DeliveryAttachment


def attachments_delete(*, deliveries) -> int:
    """Delete the attachments (rows and stored files) of the ``deliveries`` queryset; called
    before the deliveries themselves are deleted or erased. Returns the files deleted."""
    rows = list(DeliveryAttachment.objects.filter(delivery__in=deliveries))
    for attachment in rows:
        attachment.file.delete(save=False)
    DeliveryAttachment.objects.filter(pk__in=[a.pk for a in rows]).delete()
    return len(rows)


def deliveries_erase(*, source) -> int:
    """Blank the address and the text of every outbox row recorded with ``source=obj`` (a
    case being anonymised keeps its mails' dates and states, not their content). Rows still
    waiting are cancelled first: nothing is sent to an erased address. Returns the rows
    changed."""
    rows = Delivery.objects.filter(
        source_type=ContentType.objects.get_for_model(source, for_concrete_model=False),
        source_id=str(source.pk),
    )
    rows.filter(state=DeliveryState.PENDING).update(state=DeliveryState.CANCELLED)
    attachments_delete(deliveries=rows)
    rows.filter(has_attachments=True).update(has_attachments=False)
    return rows.update(to="", text="", html="", subject="", reply_to="", fallback_email="")
