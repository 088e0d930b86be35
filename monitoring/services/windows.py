"""Planning maintenance windows (managers only): a window covers checks and whole groups, once,
daily or weekly until an optional date. Audited (``MaintenanceWindow`` is registered with
``core.audit``); ``creation_key`` makes a form sent twice one window."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ApplicationGroup, Check, MaintenanceWindow
from ..selectors import is_manager

FIELDS = ("title", "starts_at", "ends_at", "repeat", "repeat_until")


@transaction.atomic
def window_save(
    *,
    actor,
    window: MaintenanceWindow | None = None,
    groups: list[ApplicationGroup],
    checks: list[Check],
    creation_key: str | None = None,
    **fields,
) -> MaintenanceWindow:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied
    if set(fields) - set(FIELDS):
        raise TypeError(f"window fields are {FIELDS}")
    if window is None and creation_key:
        existing = MaintenanceWindow.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    if window is None:
        window = MaintenanceWindow(creation_key=creation_key or None)
    else:
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    for name, value in fields.items():
        setattr(window, name, value)
    errors: dict[str, list] = {}
    try:
        window.full_clean(exclude=["creation_key"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if window.starts_at and window.ends_at and window.ends_at <= window.starts_at:
        errors.setdefault("ends_at", [_("The end must be after the start.")])
    first_day = timezone.localdate(window.starts_at) if window.starts_at else None
    if window.repeat_until and first_day and window.repeat_until < first_day:
        errors.setdefault("repeat_until", [_("The last day cannot be before the start.")])
    if not groups and not checks:
        errors["checks"] = [_("Choose the checks or groups the window covers.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            window.save()
    except IntegrityError:
        existing = MaintenanceWindow.objects.filter(creation_key=creation_key).first()
        if existing is None or not creation_key:
            raise
        return existing
    window.groups.set(groups)
    window.checks.set(checks)
    return window


@transaction.atomic
def window_delete(*, actor, window: MaintenanceWindow) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied
    MaintenanceWindow.objects.filter(pk=window.pk).delete()
