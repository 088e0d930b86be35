"""What the request services (loans, supplies) share: who may ask, whole-number fields, and
the approval steps of a purpose's chain template with a fallback."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from documents import selectors as documents_selectors
from documents.services import StepSpec, template_steps_resolve


def active(actor) -> bool:
    """A signed-in, active person (who may ask for anything)."""
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def whole(value, field: str) -> int:
    """``value`` as given when it is an ``int`` (not a bool); else an error on ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: [_("Give a whole number.")]})
    return value


def approval_steps(*, purpose: str, actor, fallback_unit, fallback_role: str) -> list[StepSpec]:
    """The steps of the active template of ``purpose`` for ``actor`` (data: e.g. the head of
    the requester's unit); without a template, or when it cannot be resolved (a unit with no
    head up to the top), the holders of ``fallback_role`` in ``fallback_unit`` approve."""
    try:
        template = documents_selectors.chain_template_for(purpose=purpose)
        return template_steps_resolve(
            template=template, requester=actor, requester_unit=actor.organization
        )
    except ValidationError:
        return [StepSpec(order=1, unit=fallback_unit, role=fallback_role)]
