"""Application groups (managers only): an application, or a set of them, owned by a unit, with
its status page (``public``: shown without a login) and its contact rules.

``group_save`` creates or changes a group: the unit must be one of
``selectors.group_unit_choices`` and the contact rules one of ``selectors.contact_rule_choices``
(the form's choices). ``group_delete`` refuses a group that still has checks (move or delete
them first). Changes are audited: ``ApplicationGroup`` is registered with ``core.audit`` and a
change of its contact rules is written as an entry of its own. ``creation_key`` makes a form
sent twice one group.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.models import Organization
from core.services import audit_record

from ..models import ApplicationGroup, ContactRule
from ..selectors import contact_rule_choices, group_unit_choices, is_manager

FIELDS = ("code", "name_zh", "name_en", "public", "order")


def _require_manager(actor) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied


@transaction.atomic
def group_save(
    *,
    actor,
    group: ApplicationGroup | None = None,
    unit: Organization | None,
    contact_rules: list[ContactRule],
    creation_key: str | None = None,
    **fields,
) -> ApplicationGroup:
    """Create (``group`` None) or change an application group."""
    _require_manager(actor)
    if set(fields) - set(FIELDS):
        raise TypeError(f"group fields are {FIELDS}")
    if group is None and creation_key:
        existing = ApplicationGroup.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    if group is None:
        group = ApplicationGroup(creation_key=creation_key or None)
    else:
        group = ApplicationGroup.objects.select_for_update().get(pk=group.pk)
    before = set(group.contact_rules.values_list("pk", flat=True)) if group.pk else set()
    errors: dict[str, list] = {}
    if actor is not None:
        if unit is not None and not group_unit_choices(group).filter(pk=unit.pk).exists():
            errors["unit"] = [_("This unit cannot be chosen.")]
        rule_ids = {r.pk for r in contact_rules}
        allowed = contact_rule_choices(actor).filter(pk__in=rule_ids).count()
        if rule_ids and allowed != len(rule_ids):
            errors["contact_rules"] = [_("One of these contact rules cannot be chosen.")]
    for name, value in fields.items():
        setattr(group, name, value)
    group.unit = unit
    try:
        group.full_clean(exclude=["creation_key"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        existing = ApplicationGroup.objects.filter(creation_key=creation_key).first()
        if existing is None or not creation_key:
            raise
        return existing
    group.contact_rules.set(contact_rules)
    after = {r.pk for r in contact_rules}
    if after != before:
        audit_record(
            action=AuditAction.UPDATE,
            obj=group,
            actor=actor,
            changes={"contact_rules": [sorted(before), sorted(after)]},
        )
    return group


@transaction.atomic
def group_delete(*, actor, group: ApplicationGroup) -> None:
    """Delete ``group``; refused while it has checks."""
    _require_manager(actor)
    row = ApplicationGroup.objects.select_for_update().filter(pk=group.pk).first()
    if row is None:
        return
    if row.checks.exists():
        raise ValidationError(
            _("The group still has checks: move them to another group or delete them first.")
        )
    row.delete()
