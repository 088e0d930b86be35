"""On-call rotas (managers only). A rota is the set of ``OnCallShift`` rows sharing a ``rota``
code; an escalation step naming that code tells whoever's shift covers the moment it runs
(``alerts``). ``shift_save`` creates or changes one shift, ``shift_delete`` removes one.

The person must be one of ``selectors.people_choices`` (the form's choices); the end must be
after the start (also a database constraint). Shifts of one rota may overlap: two people on
call at once are both told. Changes are audited (``OnCallShift`` is registered with
``core.audit``); ``creation_key`` makes a form sent twice one shift.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import OnCallShift
from ..selectors import is_manager, people_choices


def _require_manager(actor) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied


@transaction.atomic
def shift_save(
    *,
    actor,
    shift: OnCallShift | None = None,
    rota: str,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    creation_key: str | None = None,
) -> OnCallShift:
    """Create (``shift`` None) or change one on-call shift."""
    _require_manager(actor)
    if shift is None and creation_key:
        existing = OnCallShift.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    if shift is None:
        shift = OnCallShift(creation_key=creation_key or None)
    else:
        shift = OnCallShift.objects.select_for_update().get(pk=shift.pk)
    shift.rota, shift.user, shift.starts_at, shift.ends_at = rota, user, starts_at, ends_at
    errors: dict[str, list] = {}
    try:
        shift.full_clean(exclude=["creation_key"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if user is not None and not people_choices().filter(pk=user.pk).exists():
        errors["user"] = [_("This person cannot be chosen.")]
    if starts_at and ends_at and ends_at <= starts_at:
        errors.setdefault("ends_at", [_("The end must be after the start.")])
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:
        existing = OnCallShift.objects.filter(creation_key=creation_key).first()
        if existing is None or not creation_key:
            raise
        return existing
    return shift


@transaction.atomic
def shift_delete(*, actor, shift: OnCallShift) -> None:
    _require_manager(actor)
    OnCallShift.objects.filter(pk=shift.pk).delete()
