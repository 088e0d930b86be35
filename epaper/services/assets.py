"""Images of an issue: checked by their bytes, stored through Django's storage API.

An upload must be a PNG, JPEG or GIF by its content (``documents.validators.check_attachment``
reads the first bytes and checks that the extension matches) and at most
``EPAPER_MAX_IMAGE_BYTES``; SVG is refused (it may carry scripts). The file is stored under a
random name (``IssueAsset.file``, ``epaper/<year>/<month>/``) with the editor's file name kept
in ``name`` only, and served by ``epaper:asset`` (``views/archive.py``): public once the issue
is published, to its editors before. ``asset_url`` is the absolute address an issue's HTML
uses (mail needs absolute links).
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.http import absolute_url
from core.text import clean_line
from documents.validators import GIF, JPEG, PNG, check_attachment

from ..models import Issue, IssueAsset
from .issues import ensure_editable, ensure_editor, lock_issue

IMAGE_TYPES = {PNG: ".png", JPEG: ".jpg", GIF: ".gif"}


def asset_url(asset: IssueAsset) -> str:
    """The absolute address of ``asset`` (``epaper:asset``)."""
    return absolute_url(reverse("epaper:asset", args=[asset.pk]))


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        {
            "file": [
                _(
                    "The file %(name)s is not a PNG, JPEG or GIF image, or its extension does "
                    "not match its content."
                )
                % {"name": name}
            ]
        }
    )


@transaction.atomic
def asset_upload(*, issue: Issue, upload, actor, name: str = "") -> IssueAsset:
    """Store ``upload`` as an image of ``issue`` (a draft or scheduled issue of a newsletter
    ``actor`` edits)."""
    ensure_editor(actor, issue.newsletter)
    issue = lock_issue(issue)
    ensure_editable(issue)
    if upload is None:
        raise ValidationError({"file": [_("Choose an image file to upload.")]})
    original = clean_line(PurePosixPath(getattr(upload, "name", "") or "").name) or "image"
    limit = settings.EPAPER_MAX_IMAGE_BYTES
    size = getattr(upload, "size", None) or 0
    if size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file %(name)s is %(size)s; the largest image allowed is %(limit)s.")
                    % {
                        "name": original,
                        "size": filesizeformat(size),
                        "limit": filesizeformat(limit),
                    }
                ]
            }
        )
    if issue.assets.count() >= settings.EPAPER_MAX_IMAGES_PER_ISSUE:
        raise ValidationError(
            {
                "file": [
                    _("An issue may have at most %(count)s images.")
                    % {"count": settings.EPAPER_MAX_IMAGES_PER_ISSUE}
                ]
            }
        )
    try:
        checked = check_attachment(upload)
    except ValidationError as exc:
        raise _not_an_image(original) from exc
    if checked.content_type not in IMAGE_TYPES:
        raise _not_an_image(original)
    asset = IssueAsset(
        issue=issue,
        content_type=checked.content_type,
        name=(clean_line(name) or original)[:200],
    )
    upload.seek(0)
    asset.file.save(secrets.token_hex(16) + IMAGE_TYPES[checked.content_type], upload, save=False)
    asset.save()
    return asset


@transaction.atomic
def asset_delete(*, asset: IssueAsset, actor) -> None:
    """Remove an image of a draft or scheduled issue (the stored file too, after commit)."""
    issue = asset.issue
    ensure_editor(actor, issue.newsletter)
    issue = lock_issue(issue)
    ensure_editable(issue)
    storage, file_name = asset.file.storage, asset.file.name
    asset.delete()
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))
