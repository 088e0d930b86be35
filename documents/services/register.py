"""The register: entering documents, their attachments, changes and closing.

Every entry point (page, API, admin, other apps) calls these, and each checks its actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.dates import roc_year
from core.models import Organization
from core.services import audit_record

from .. import selectors
from ..choices import DocumentCategory, DocumentStatus, SecurityLevel
from ..constants import MAX_ATTACHMENTS
from ..models import Attachment, Document
from ..validators import check_attachment
from .errors import SignOffError
from .numbering import allocate_serial, document_series_for_unit


def _source_fields(source) -> dict:
    if source is None:
        return {"source_content_type": None, "source_object_id": ""}
    if source.pk is None:
        raise ValidationError({"source": _("The source object must be saved first.")})
    return {
        "source_content_type": ContentType.objects.get_for_model(source),
        "source_object_id": str(source.pk),
    }


def _check_attachments(attachments: Sequence) -> list:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d attachments can be added at once.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = []
    errors = []
    for upload in attachments:
        try:
            checked.append((upload, check_attachment(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _save_attachment(*, document: Document, upload, checked, uploaded_by) -> Attachment:
    attachment = Attachment(
        document=document,
        original_name=checked.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


def document_register(
    *,
    unit: Organization,
    subject: str,
    actor=None,
    registered_by=None,
    sender: str = "",
    receiver: str = "",
    category: str = DocumentCategory.INCOMING,
    security_level: str = SecurityLevel.ORDINARY,
    description: str = "",
    deadline: date | None = None,
    source=None,
    external_system: str = "",
    external_id: str = "",
    attachments: Sequence = (),
) -> Document:
    """Register a document and give it the next number of its unit and ROC year.

    ``actor`` is the person registering: they must be allowed to register for ``unit``
    (``selectors.registrable_units``), else PermissionDenied; ``registered_by`` defaults to
    them. ``actor=None`` is a call from another app's service that has already applied its
    own rule (e.g. petitions registering a confirmed case for its handling unit).

    With ``external_system``/``external_id`` the call is idempotent: the same reference
    returns the document registered first (``document.created`` tells which happened).
    """
    if actor is not None:
        if not selectors.registrable_units(actor).filter(pk=unit.pk).exists():
            raise PermissionDenied(_("You may not register documents for this unit."))
        registered_by = registered_by or actor
    external_system = (external_system or "").strip()
    external_id = (external_id or "").strip()
    if external_id:
        existing = Document.objects.filter(
            external_system=external_system, external_id=external_id
        ).first()
        if existing is not None:
            existing.created = False
            return existing
    document = Document(
        unit=unit,
        subject=(subject or "").strip(),
        sender=(sender or "").strip(),
        receiver=(receiver or "").strip(),
        category=category,
        security_level=security_level,
        description=description or "",
        deadline=deadline,
        status=DocumentStatus.REGISTERED,
        registered_by=registered_by if getattr(registered_by, "pk", None) else None,
        external_system=external_system,
        external_id=external_id,
        **_source_fields(source),
    )
    # Everything the caller can get wrong is checked before a number is taken.
    document.full_clean(
        exclude=["number", "roc_year", "serial"], validate_unique=False, validate_constraints=False
    )
    checked = _check_attachments(list(attachments))
    year = roc_year()
    try:
        with transaction.atomic():
            series = document_series_for_unit(unit=unit)
            serial = allocate_serial(unit=unit, year=year)
            document.roc_year = year
            document.serial = serial
            document.number = Document.format_number(series.prefix, year, serial)
            document.full_clean(validate_unique=False, validate_constraints=False)
            document.save()
            for upload, info in checked:
                _save_attachment(
                    document=document, upload=upload, checked=info, uploaded_by=registered_by
                )
    except IntegrityError:
        if external_id:
            existing = Document.objects.filter(
                external_system=external_system, external_id=external_id
            ).first()
            if existing is not None:
                existing.created = False
                return existing
        raise
    document.created = True
    return document


EDITABLE_FIELDS = (
    "subject",
    "sender",
    "receiver",
    "category",
    "security_level",
    "description",
    "deadline",
)


def _check_may_manage(document: Document, actor) -> None:
    """Changing a document needs the right to register for its unit (or to be its registrar)."""
    if actor is None or actor.pk == document.registered_by_id:
        return
    if not selectors.registrable_units(actor).filter(pk=document.unit_id).exists():
        raise PermissionDenied(_("You may not change documents of this unit."))


@transaction.atomic
def document_update(*, document: Document, actor=None, **changes) -> Document:
    """Change the descriptive fields of a document (never its number). ``actor`` must be its
    registrar or allowed to register for its unit; None for trusted internal callers."""
    _check_may_manage(document, actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(document, name, value)
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def attachment_add(*, document: Document, upload, uploaded_by) -> Attachment:
    """Add one checked attachment; ``uploaded_by`` must be able to see the document."""
    if not Document.objects.visible_to(uploaded_by).filter(pk=document.pk).exists():
        raise PermissionDenied(_("You may not change this document."))
    [(upload, info)] = _check_attachments([upload])
    attachment = _save_attachment(
        document=document, upload=upload, checked=info, uploaded_by=uploaded_by
    )
    audit_record(
        action=AuditAction.UPDATE,
        obj=document,
        actor=uploaded_by,
        message=f"attachment added: {attachment.original_name}",
    )
    return attachment


@transaction.atomic
def document_close(*, document: Document, closed_by) -> Document:
    """Close (file) an approved or registered document (``closed_by`` as for updates)."""
    _check_may_manage(document, closed_by)
    updated = Document.objects.filter(
        pk=document.pk, status__in=[DocumentStatus.APPROVED, DocumentStatus.REGISTERED]
    ).update(status=DocumentStatus.CLOSED, updated_at=timezone.now())
    if not updated:
        raise SignOffError(_("Only registered or approved documents can be closed."))
    document.refresh_from_db()
    audit_record(
        action=AuditAction.UPDATE,
        obj=document,
        actor=closed_by,
        changes={"status": [DocumentStatus.APPROVED, DocumentStatus.CLOSED]},
        message="document closed",
    )
    return document
