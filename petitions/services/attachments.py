"""Files on a case: checked by their bytes (``documents.validators``), stored under random
names, the citizen's file name kept in ``original_name`` only."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from documents.validators import GIF, JPEG, PDF, PNG, check_attachment, sniff_content_type

from ..constants import MAX_PUBLIC_ATTACHMENTS
from ..models import Attachment, Petition

logger = logging.getLogger(__name__)

PUBLIC_CONTENT_TYPES = {PDF, PNG, JPEG, GIF}


@dataclass(frozen=True)
class Upload:
    """An uploaded file and what ``check_attachment`` found in it."""

    file: object
    checked: object


def _not_accepted(name: str):
    return _(
        "The file %(name)s is not a PNG, JPEG or GIF image or a PDF, or its extension "
        "does not match its content."
    ) % {"name": name}


def public_attachments_check(files) -> list[Upload]:
    """Up to three files, each an image (PNG, JPEG, GIF) or a PDF by its bytes, within
    ``PETITIONS_MAX_ATTACHMENT_BYTES``, with an extension that matches. Errors name each file
    (``ValidationError`` on the field ``attachments``)."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PUBLIC_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d files can be attached.")
                % {"count": MAX_PUBLIC_ATTACHMENTS}
            }
        )
    limit = settings.PETITIONS_MAX_ATTACHMENT_BYTES
    errors, checked = [], []
    for upload in files:
        name = getattr(upload, "name", "")
        if (upload.size or 0) > limit:
            errors.append(
                _("The file %(name)s is %(size)s; the largest allowed is %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
            continue
        try:
            result = check_attachment(upload)
        except ValidationError as exc:
            errors.append(_not_accepted(name))
            logger.info("petition attachment refused: %s", exc.messages)
            continue
        if result.content_type not in PUBLIC_CONTENT_TYPES:
            errors.append(_not_accepted(name))
            continue
        checked.append(Upload(file=upload, checked=result))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def public_attachments_save(*, petition: Petition, uploads: list[Upload]) -> None:
    """Store checked uploads on ``petition`` (inside the caller's transaction)."""
    for item in uploads:
        attachment = Attachment(
            petition=petition,
            original_name=item.checked.name[:200],
            content_type=item.checked.content_type,
            size=item.checked.size,
            sha256=item.checked.sha256,
        )
        attachment.file.save(item.checked.name, item.file, save=False)
        attachment.full_clean()
        attachment.save()


def mail_attachments_save(*, petition: Petition, attachments) -> list[str]:
    """Store the ``(name, bytes)`` attachments of an e-mail whose content
    ``sniff_content_type`` recognises; returns the names of those skipped."""
    skipped: list[str] = []
    for name, data in attachments:
        if not data:
            continue
        kind = sniff_content_type(BytesIO(data))
        if kind is None:
            skipped.append(name)
            continue
        attachment = Attachment(
            petition=petition,
            original_name=name[:200],
            content_type=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
    return skipped
