"""Incidents: opened when a check goes down, resolved when it is up again, acknowledged by a
person (web or signed link), which stops the escalation.

Suppression: when one of the checks a check ``depends_on`` (transitively) has an unresolved
incident, the new incident is ``suppressed_by`` that one and sends no alert; when a parent's
incident opens, its dependants' open, unacknowledged incidents are put under it. When the
parent is resolved, a dependant still down starts its own escalation then. During maintenance
no incident opens (see ``state``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import EventKind, IncidentState
from ..models import Check, Incident, IncidentEvent
from ..selectors import may_operate
from . import alerts


def _ancestor_ids(check: Check) -> set[int]:
    seen: set[int] = set()
    frontier = {check.pk}
    while frontier:
        parents = set(
            Check.depends_on.through.objects.filter(from_check_id__in=frontier).values_list(
                "to_check_id", flat=True
            )
        )
        frontier = parents - seen - {check.pk}
        seen |= frontier
    return seen


def _descendant_ids(check: Check) -> set[int]:
    seen: set[int] = set()
    frontier = {check.pk}
    while frontier:
        children = set(
            Check.depends_on.through.objects.filter(to_check_id__in=frontier).values_list(
                "from_check_id", flat=True
            )
        )
        frontier = children - seen - {check.pk}
        seen |= frontier
    return seen


def incident_open(*, check: Check, cause: str, now: datetime | None = None) -> Incident | None:
    """Open the check's incident (None when one is already open)."""
    now = now or timezone.now()
    parent = (
        Incident.objects.exclude(state=IncidentState.RESOLVED)
        .filter(check_ref_id__in=_ancestor_ids(check))
        .order_by("opened_at")
        .first()
    )
    incident = Incident(check_ref=check, cause=cause[:300], opened_at=now, suppressed_by=parent)
    if parent is None:
        alerts.schedule_first(incident)
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError:
        return None
    IncidentEvent.objects.create(incident=incident, at=now, kind=EventKind.OPENED, text=cause[:500])
    if parent is not None:
        IncidentEvent.objects.create(
            incident=incident,
            at=now,
            kind=EventKind.SUPPRESSED,
            text=_("%(parent)s is down") % {"parent": parent.check_ref.name},
        )
    else:
        children = Incident.objects.filter(
            check_ref_id__in=_descendant_ids(check), state=IncidentState.OPEN
        )
        for child in children:
            child.suppressed_by = incident
            child.next_step_at = None
            child.save(update_fields=["suppressed_by", "next_step_at"])
            IncidentEvent.objects.create(
                incident=child,
                at=now,
                kind=EventKind.SUPPRESSED,
                text=_("%(parent)s is down") % {"parent": check.name},
            )
        # A step due at once (no wait) goes out in this run, not a minute later.
        if incident.next_step_at is not None and incident.next_step_at <= now:
            alerts.step_send(incident_id=incident.pk, now=now)
    return incident


def incident_resolve(*, check: Check, now: datetime | None = None) -> Incident | None:
    now = now or timezone.now()
    incident = (
        Incident.objects.select_for_update()
        .filter(check_ref=check)
        .exclude(state=IncidentState.RESOLVED)
        .first()
    )
    if incident is None:
        return None
    incident.state = IncidentState.RESOLVED
    incident.resolved_at = now
    incident.next_step_at = None
    incident.save(update_fields=["state", "resolved_at", "next_step_at"])
    minutes = int((now - incident.opened_at).total_seconds() // 60)
    IncidentEvent.objects.create(
        incident=incident,
        at=now,
        kind=EventKind.RESOLVED,
        text=_("Down for %(minutes)s minutes") % {"minutes": minutes},
    )
    alerts.resolved_send(incident=incident, now=now)
    # Dependants still down get their own escalation now.
    for child in Incident.objects.filter(suppressed_by=incident, state=IncidentState.OPEN):
        alerts.schedule_first(child)
        if child.next_step_at is not None:
            child.next_step_at = max(child.next_step_at, now)
        child.save(update_fields=["contact_rule", "round", "next_step", "next_step_at"])
    return incident


@transaction.atomic
def incident_acknowledge(*, actor, incident: Incident, via: str = "web") -> Incident:
    """Stop the escalation of ``incident``; the actor must be allowed to operate its check."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("check_ref__group")
        .get(pk=incident.pk)
    )
    if not may_operate(actor, incident.check_ref):
        raise PermissionDenied
    if incident.state != IncidentState.OPEN:
        raise ValidationError(_("Only an open incident can be acknowledged."))
    now = timezone.now()
    incident.state = IncidentState.ACKNOWLEDGED
    incident.acknowledged_at = now
    incident.acknowledged_by = actor
    incident.next_step_at = None
    incident.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "next_step_at"])
    IncidentEvent.objects.create(
        incident=incident,
        at=now,
        kind=EventKind.ACKNOWLEDGED,
        actor=actor,
        text=_("Acknowledged (%(via)s)") % {"via": via},
    )
    return incident
