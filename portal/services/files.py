"""Files attached to repair tickets and procurement requests: checked by their bytes
(``documents.validators``), stored under random names through the storage API, the person's
file name kept in ``name`` only."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.text import clean_line
from documents.validators import EXTENSIONS, GIF, JPEG, PNG, check_attachment

IMAGE_TYPES = frozenset({PNG, JPEG, GIF})
MAX_FILES = 5


def files_check(files, *, field: str, images_only: bool) -> list[tuple[object, object]]:
    """``(upload, checked)`` for each file; ValidationError on ``field`` naming each bad one."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError(
            {field: _("At most %(count)d files can be attached.") % {"count": MAX_FILES}}
        )
    errors, checked = [], []
    for upload in files:
        try:
            result = check_attachment(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if images_only and result.content_type not in IMAGE_TYPES:
            errors.append(
                _("The file %(name)s is not a PNG, JPEG or GIF image.")
                % {"name": clean_line(result.name)}
            )
            continue
        checked.append((upload, result))
    if errors:
        raise ValidationError({field: errors})
    return checked


def stored_name(checked) -> str:
    extension = sorted(EXTENSIONS[checked.content_type])[0]
    return uuid.uuid4().hex + extension


def display_name(checked) -> str:
    return (clean_line(checked.name) or "file")[:200]
