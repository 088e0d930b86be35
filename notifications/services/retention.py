"""Erasing what the outbox kept about something that is being anonymised."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from ..choices import DeliveryState
from ..models import Delivery


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
    return rows.update(to="", text="", html="", subject="", reply_to="", fallback_email="")
