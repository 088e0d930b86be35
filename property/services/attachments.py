"""Attachments of a movement (quotes, photos of damage, disposal records): checked by content
(``documents.validators.check_attachment``: PDF, images, Office Open XML/ODF), stored through
Django's storage under a random name, served only by the authorised view."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.choices import AuditAction
from core.services import audit_record
from documents.validators import check_attachment

from .. import selectors
from ..models import Movement, MovementAttachment


@transaction.atomic
def movement_attachment_add(*, movement: Movement, actor, upload) -> MovementAttachment:
    if (
        actor is not None
        and not selectors.movements_visible_to(actor).filter(pk=movement.pk).exists()
    ):
        raise PermissionDenied
    checked = check_attachment(upload)
    suffix = PurePosixPath(checked.name).suffix.lower()
    attachment = MovementAttachment(
        movement=movement,
        name=checked.name[:200],
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    upload.seek(0)
    attachment.file.save(f"{secrets.token_hex(16)}{suffix}", upload, save=False)
    attachment.save()
    audit_record(
        action=AuditAction.UPDATE,
        obj=movement,
        actor=actor,
        message=f"attachment added: {attachment.name}",
    )
    return attachment
