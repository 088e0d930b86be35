"""Creating, changing, pausing, resuming and deleting checks; each service checks ``actor``.

``actor=None`` is a trusted internal caller (the portal's own checks, the demo). For any other
actor the group must be one of ``selectors.groups_creatable_by``, the parents one of
``selectors.dependency_choices`` and the contact rules one of ``selectors.contact_rule_choices``
(the choices the pages, the API and the admin offer); a check never depends on itself or on a
check that depends on it, whoever calls. A change is written to the audit log.

``creation_key`` (the edit page's one-time token, hashed with the actor): the same form sent
twice makes one check; the second call returns the first check.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import audit_record

from ..choices import CheckKind, CheckState
from ..models import ApplicationGroup, Check
from ..selectors import (
    contact_rule_choices,
    dependency_choices,
    descendant_ids,
    may_create_in,
    may_operate,
)

#: Fields a caller may set when creating or changing a check.
EDITABLE = (
    "name",
    "kind",
    "url",
    "method",
    "headers",
    "body",
    "expected_status",
    "keyword",
    "json_path",
    "json_value",
    "max_response_ms",
    "verify_tls",
    "tls_warning_days",
    "host",
    "port",
    "dns_expected",
    "component",
    "db_metric",
    "db_limit",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "failure_threshold",
    "success_threshold",
    "period_seconds",
    "grace_seconds",
    "cron",
    "time_zone",
    "expected_pings",
)


def creation_key(actor, token: str) -> str:
    """The stored key of a form's one-time ``token`` sent by ``actor``."""
    owner = getattr(actor, "pk", None) or 0
    return hashlib.sha256(f"{owner}:{token}".encode()).hexdigest()


def _relations_validate(*, actor, check: Check, depends_on, contact_rules) -> None:
    """Refuse parents that would make a cycle, and objects ``actor`` may not attach."""
    errors: dict[str, list] = {}
    if depends_on is not None:
        parent_ids = {c.pk for c in depends_on}
        if check.pk and (check.pk in parent_ids or parent_ids & descendant_ids(check.pk)):
            errors["depends_on"] = [
                _("A check cannot depend on itself or on a check that depends on it.")
            ]
        elif actor is not None and parent_ids:
            allowed = set(
                dependency_choices(actor, check)
                .filter(pk__in=parent_ids)
                .values_list("pk", flat=True)
            )
            if parent_ids - allowed:
                errors["depends_on"] = [_("You may not choose one of these checks.")]
    if contact_rules and actor is not None:
        rule_ids = {r.pk for r in contact_rules}
        allowed = set(
            contact_rule_choices(actor, check).filter(pk__in=rule_ids).values_list("pk", flat=True)
        )
        if rule_ids - allowed:
            errors["contact_rules"] = [_("You may not choose one of these contact rules.")]
    if errors:
        raise ValidationError(errors)


def _shown(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@transaction.atomic
def check_create(
    *,
    actor,
    group: ApplicationGroup,
    depends_on=(),
    contact_rules=(),
    creation_key: str | None = None,
    **fields,
) -> Check:
    if actor is not None and not may_create_in(actor, group):
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE) - {"slug"}
    if unknown:
        raise TypeError(f"unknown check fields: {sorted(unknown)}")
    if creation_key:
        existing = Check.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    check = Check(group=group, creation_key=creation_key or None, **fields)
    if check.kind != CheckKind.HEARTBEAT:
        check.next_run_at = timezone.now()
    check.full_clean(exclude=["creation_key"])
    _relations_validate(
        actor=actor, check=check, depends_on=list(depends_on), contact_rules=list(contact_rules)
    )
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:
        # The same form at the same instant: the other request made the check.
        existing = Check.objects.filter(creation_key=creation_key).first() if creation_key else None
        if existing is None:
            raise
        return existing
    if depends_on:
        check.depends_on.set(depends_on)
    if contact_rules:
        check.contact_rules.set(contact_rules)
    if actor is not None:
        audit_record(
            action=AuditAction.CREATE,
            obj=check,
            actor=actor,
            changes={name: [None, _shown(getattr(check, name))] for name in ("name", *fields)},
        )
    return check


@transaction.atomic
def check_update(
    *,
    actor,
    check: Check,
    group: ApplicationGroup | None = None,
    depends_on=None,
    contact_rules=None,
    **fields,
) -> Check:
    """Change ``check``; ``group``, ``depends_on`` and ``contact_rules`` when given."""
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    if group is not None and group.pk != check.group_id:
        if actor is not None and not may_create_in(actor, group):
            raise PermissionDenied
    check = Check.objects.select_for_update(of=("self",)).select_related("group").get(pk=check.pk)
    changes: dict[str, list] = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise TypeError(f"not an editable field: {name}")
        before = getattr(check, name)
        if before != value:
            changes[name] = [_shown(before), _shown(value)]
        setattr(check, name, value)
    update_fields = [*fields, "updated_at"]
    if group is not None and group.pk != check.group_id:
        changes["group"] = [str(check.group), str(group)]
        check.group = group
        update_fields.append("group")
    if "kind" in changes and check.kind != CheckKind.HEARTBEAT and check.next_run_at is None:
        check.next_run_at = timezone.now()
        update_fields.append("next_run_at")
    check.full_clean(exclude=["creation_key"])
    _relations_validate(
        actor=actor,
        check=check,
        depends_on=None if depends_on is None else list(depends_on),
        contact_rules=None if contact_rules is None else list(contact_rules),
    )
    check.save(update_fields=update_fields)
    for attr, value in (("depends_on", depends_on), ("contact_rules", contact_rules)):
        if value is None:
            continue
        manager = getattr(check, attr)
        before = set(manager.values_list("pk", flat=True))
        after = {obj.pk for obj in value}
        if before != after:
            manager.set(value)
            changes[attr] = [sorted(before), sorted(after)]
    if actor is not None and changes:
        audit_record(action=AuditAction.UPDATE, obj=check, actor=actor, changes=changes)
    return check


@transaction.atomic
def check_delete(*, actor, check: Check) -> None:
    """Delete ``check`` with its history (results, pings, incidents); audited."""
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    audit_record(
        action=AuditAction.DELETE,
        obj=check,
        actor=actor,
        changes={"name": [check.name, None], "group": [str(check.group), None]},
    )
    Check.objects.filter(pk=check.pk).delete()


@transaction.atomic
def check_pause(*, actor, check: Check) -> Check:
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    Check.objects.filter(pk=check.pk).update(
        enabled=False, state=CheckState.PAUSED, state_changed_at=timezone.now()
    )
    check.refresh_from_db()
    return check


@transaction.atomic
def check_resume(*, actor, check: Check) -> Check:
    if actor is not None and not may_operate(actor, check):
        raise PermissionDenied
    now = timezone.now()
    Check.objects.filter(pk=check.pk).update(
        enabled=True,
        state=CheckState.NEW,
        state_changed_at=now,
        failures=0,
        successes=0,
        next_run_at=now,
        claimed_until=None,
        claim_token=None,
    )
    check.refresh_from_db()
    return check
