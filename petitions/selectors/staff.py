"""Reads of the staff side. Every query starts from ``Petition.objects.visible_to(user)``."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from core.masking import mask_email, mask_name

from ..choices import OPEN_STATUSES
from ..models import InboundMessage, InboundState, Petition


def triage_list(*, user, status="", category="", unit="", source="", overdue=False, q=""):
    today = timezone.localdate()
    qs = (
        Petition.objects.visible_to(user)
        .confirmed()
        .select_related("category", "handling_unit", "handler", "county")
        .order_by("deadline", "-created_at")
    )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    if unit:
        qs = qs.filter(handling_unit__code=unit)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    if q:
        qs = qs.filter(Q(case_number__icontains=q) | Q(subject__icontains=q))
    return qs


def petition_row(petition: Petition) -> dict:
    """What lists and exports show: personal data masked (core.masking)."""
    today = timezone.localdate()
    return {
        "petition": petition,
        "case_number": petition.case_number,
        "citizen_name": mask_name(petition.citizen_name),
        "citizen_email": mask_email(petition.citizen_email),
        "overdue": bool(
            petition.deadline and petition.deadline < today and petition.status in OPEN_STATUSES
        ),
    }


def overdue_by_unit(*, user):
    today = timezone.localdate()
    return (
        Petition.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES, handling_unit__isnull=False)
        .values("handling_unit__code", "handling_unit__name_zh")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today)),
        )
        .order_by("-overdue", "handling_unit__code")
    )


def unmatched_queue(*, user):
    """Mail waiting for manual assignment: for users who may change petitions."""
    if not (user.is_superuser or user.has_perm("petitions.change_petition")):
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(
        state__in=[InboundState.UNMATCHED, InboundState.FAILED]
    ).defer("raw")
