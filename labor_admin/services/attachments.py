"""Attachments of a case: checked by content (``documents.validators.check_attachment``),
stored through Django's storage under a random name, served only by the authorised view."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from documents.validators import check_attachment

from ..constants import WRITE_ROLES
from ..models import Case, CaseAttachment, CaseEvent
from ..selectors import covers, is_client


@transaction.atomic
def case_attachment_add(*, case: Case, actor, upload) -> CaseAttachment:
    if actor is not None and not covers(actor, case.unit_id, WRITE_ROLES):
        raise PermissionDenied(_("You may not change cases of this unit."))
    if not case.is_open:
        raise ValidationError({"file": _("A closed case cannot be changed.")})
    try:
        checked = check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    suffix = PurePosixPath(checked.name).suffix.lower()
    upload.name = f"{secrets.token_hex(16)}{suffix}"
    person = None if actor is None or is_client(actor) else actor
    attachment = CaseAttachment.objects.create(
        case=case,
        file=upload,
        name=checked.name[:200],
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=person,
    )
    CaseEvent.objects.create(
        case=case,
        message=_("Attachment added: %(name)s") % {"name": attachment.name},
        actor=person,
    )
    return attachment
