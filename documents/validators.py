"""Attachment checks by content, not by name.

The first bytes decide what a file is (PDF, PNG, JPEG, GIF, or a ZIP container); a ZIP must be
an Office Open XML (docx/xlsx/pptx) or OpenDocument (odt/ods/odp) package, recognised by its
members. The file's extension must then be one of those of the detected type, so a program
renamed ``report.pdf`` or a PNG called ``minutes.docx`` is refused. Legacy binary Office files
(.doc/.xls, OLE2) are not accepted: they may carry macros; convert them to ODF or OOXML.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    GIF: {".gif"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    PPTX: {".pptx"},
    ODT: {".odt"},
    ODS: {".ods"},
    ODP: {".odp"},
}
ALLOWED_EXTENSIONS = sorted(ext for exts in EXTENSIONS.values() for ext in exts)

_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_ODF_TYPES = {ODT, ODS, ODP}
_MAX_ZIP_MEMBERS = 10_000


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    name: str


def max_attachment_bytes() -> int:
    return settings.DOCUMENTS_MAX_ATTACHMENT_BYTES


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_MEMBERS:
                return None
            names = {info.filename for info in infos}
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    if declared in _ODF_TYPES:
                        return declared
            if "[Content_Types].xml" in names:
                for folder, kind in _OOXML_PARTS:
                    if any(name.startswith(folder) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff_content_type(upload) -> str | None:
    """The type the bytes say the file is, or None when it is none we accept."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def check_attachment(upload) -> CheckedFile:
    """Validate an uploaded file; raise ``ValidationError`` naming what is wrong."""
    name = PurePosixPath(getattr(upload, "name", "") or "").name
    limit = max_attachment_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty."), params={"name": name})
    if size > limit:
        raise ValidationError(
            _("The file %(name)s is %(size)s; the largest allowed is %(limit)s."),
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    kind = sniff_content_type(upload)
    if kind is None:
        raise ValidationError(
            _(
                "The file %(name)s is not a PDF, image (PNG, JPEG, GIF) or office document "
                "(ODF or Office Open XML)."
            ),
            params={"name": name},
        )
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in EXTENSIONS[kind]:
        raise ValidationError(
            _(
                "The file %(name)s does not match its extension: its content is %(kind)s, "
                "so it should end in %(expected)s."
            ),
            params={"name": name, "kind": kind, "expected": " / ".join(sorted(EXTENSIONS[kind]))},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=kind, size=size, sha256=digest.hexdigest(), name=name)
