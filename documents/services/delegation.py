"""Delegation: who may act for whom while on leave."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import audit_record

from ..models import Delegation


@transaction.atomic
def delegation_create(
    *, delegator, delegate, start_date: date, end_date: date, reason: str, created_by
) -> Delegation:
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        start_date=start_date,
        end_date=end_date,
        reason=(reason or "").strip(),
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    if delegate is not None and not delegate.is_active:
        raise ValidationError({"delegate": _("The delegate's account is not active.")})
    delegation.full_clean()
    delegation.save()
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, revoked_by) -> Delegation:
    """End a delegation now. Only its delegator, its creator or a superuser may."""
    allowed = revoked_by.is_superuser or revoked_by.pk in (
        delegation.delegator_id,
        delegation.created_by_id,
    )
    if not allowed:
        raise PermissionDenied(_("You may not change this delegation."))
    now = timezone.now()
    updated = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if updated:
        delegation.revoked_at = now
        audit_record(
            action=AuditAction.UPDATE,
            obj=delegation,
            actor=revoked_by,
            changes={"revoked_at": [None, now.isoformat()]},
        )
    return delegation
