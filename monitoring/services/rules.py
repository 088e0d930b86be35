"""Contact rules with their ordered escalation steps, and the alert texts; managers only.

``contact_rule_save`` writes a rule and its whole list of steps in one transaction: the steps
take the order of the list (1, 2, …); a step kept at its position keeps its row (and the
``AlertSent`` rows that name it), steps past the end of the list are deleted. Every step needs
someone to tell (people, units, a role, an on-call rota or a webhook) and a channel. People and
units must come from ``selectors.people_choices``/``unit_choices`` (the form's choices); the
role must be a portal-wide role. Changes are audited (``ContactRule`` and ``EscalationStep``
are registered with ``core.audit``).

``alert_template_save`` writes the texts of one alert kind in both languages, after checking
that each compiles as a Django template and uses no tag that reads files or other templates.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext as _

from accounts.models import Role

from ..choices import Hours
from ..models import AlertTemplate, ContactRule, EscalationStep
from ..selectors import is_manager, people_choices, unit_choices
from .alerts import DEFAULT_TEXTS

#: The fields of one step a caller gives (``users`` and ``units``: lists of objects).
STEP_FIELDS = ("wait_minutes", "users", "units", "role", "rota", "email", "sms", "webhook_url")
#: Most steps one rule may have.
MAX_STEPS = 20
#: Template tags an alert text may not use: they read files or other templates.
FORBIDDEN_TAGS = re.compile(r"{%\s*(load|include|extends|ssi|debug)\b")


def _require_manager(actor) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied


def _step_validate(index: int, step: dict) -> dict[str, list]:
    """Errors of one step, keyed ``steps-<index>-<field>`` (the formset's field names)."""
    errors: dict[str, list] = {}
    prefix = f"steps-{index}-"
    someone = step["users"] or step["units"] or step["role"] or step["rota"] or step["webhook_url"]
    if not someone:
        errors[prefix + "users"] = [
            _("Name at least one person, unit, role, on-call rota or webhook.")
        ]
    if not (step["email"] or step["sms"] or step["webhook_url"]):
        errors[prefix + "email"] = [_("Choose at least one channel: e-mail, SMS or a webhook.")]
    if (
        step["role"]
        and not Role.objects.filter(code=step["role"], application__isnull=True).exists()
    ):
        errors[prefix + "role"] = [_("There is no portal role with this code.")]
    user_ids = {u.pk for u in step["users"]}
    if user_ids and people_choices().filter(pk__in=user_ids).count() != len(user_ids):
        errors[prefix + "users"] = [_("One of these people cannot be chosen.")]
    unit_ids = {u.pk for u in step["units"]}
    if unit_ids and unit_choices().filter(pk__in=unit_ids).count() != len(unit_ids):
        errors[prefix + "units"] = [_("One of these units cannot be chosen.")]
    return errors


@transaction.atomic
def contact_rule_save(
    *,
    actor,
    rule: ContactRule | None = None,
    name: str,
    hours: str = Hours.ALWAYS,
    repeat: int = 0,
    steps: list[dict],
    creation_key: str | None = None,
) -> ContactRule:
    """Create (``rule`` None) or change a contact rule and replace its steps by ``steps``."""
    _require_manager(actor)
    if rule is None and creation_key:
        existing = ContactRule.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    errors: dict[str, list] = {}
    if not steps:
        errors["steps"] = [_("A contact rule needs at least one step.")]
    if len(steps) > MAX_STEPS:
        errors["steps"] = [_("A contact rule has at most %(n)d steps.") % {"n": MAX_STEPS}]
    for index, step in enumerate(steps):
        missing = set(STEP_FIELDS) - set(step)
        if missing:
            raise TypeError(f"step {index} lacks {sorted(missing)}")
        errors.update(_step_validate(index, step))
    if rule is None:
        rule = ContactRule(creation_key=creation_key or None)
    else:
        rule = ContactRule.objects.select_for_update().get(pk=rule.pk)
    rule.name, rule.hours, rule.repeat = name, hours, repeat
    try:
        rule.full_clean(exclude=["creation_key"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        existing = ContactRule.objects.filter(creation_key=creation_key).first()
        if existing is None or not creation_key:
            raise
        return existing
    existing_steps = list(rule.steps.order_by("order"))
    # Out of the way of the (rule, order) constraint while the orders are renumbered.
    for offset, row in enumerate(existing_steps):
        EscalationStep.objects.filter(pk=row.pk).update(order=1000 + offset)
    kept = existing_steps[: len(steps)]
    for row in existing_steps[len(steps) :]:
        row.delete()
    for index, data in enumerate(steps):
        row = kept[index] if index < len(kept) else EscalationStep(rule=rule)
        if row.pk:
            row.refresh_from_db()
        row.order = index + 1
        for field in ("wait_minutes", "role", "rota", "email", "sms", "webhook_url"):
            setattr(row, field, data[field])
        row.full_clean(exclude=["rule"])
        row.save()
        row.users.set(data["users"])
        row.units.set(data["units"])
    return rule


@transaction.atomic
def contact_rule_delete(*, actor, rule: ContactRule) -> None:
    _require_manager(actor)
    ContactRule.objects.filter(pk=rule.pk).delete()


def _template_validate(texts: dict[str, str]) -> dict[str, list]:
    errors: dict[str, list] = {}
    for field, source in texts.items():
        if FORBIDDEN_TAGS.search(source):
            errors[field] = [_("This tag cannot be used in an alert text.")]
            continue
        try:
            Template(source)
        except TemplateSyntaxError as exc:
            errors[field] = [_("The template has an error: %(error)s") % {"error": exc}]
    return errors


@transaction.atomic
def alert_template_save(*, actor, code: str, **texts) -> AlertTemplate:
    """Write the texts of the alert ``code`` (one of ``alerts.DEFAULT_TEXTS``)."""
    _require_manager(actor)
    if code not in DEFAULT_TEXTS:
        raise ValidationError({"code": [_("There is no alert of this kind.")]})
    if set(texts) != set(DEFAULT_TEXTS[code]):
        raise TypeError(f"alert texts are {sorted(DEFAULT_TEXTS[code])}")
    errors = _template_validate(texts)
    row = AlertTemplate.objects.select_for_update().filter(code=code).first()
    row = row or AlertTemplate(code=code)
    for field, value in texts.items():
        setattr(row, field, value)
    try:
        row.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    row.save()
    return row
