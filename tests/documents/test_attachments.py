import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from documents.validators import DOCX, ODT, PDF, PNG, check_attachment

from .factories import DocumentFactory

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
ODT_BYTES = zipped({"mimetype": ODT.encode(), "content.xml": b"<office/>"})


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("公文.pdf", PDF_BYTES, PDF),
        ("scan.PNG", PNG_BYTES, PNG),
        ("簽呈.docx", DOCX_BYTES, DOCX),
        ("會議紀錄.odt", ODT_BYTES, ODT),
    ],
)
def test_accepted_types_are_recognised_by_content(name, data, kind):
    assert check_attachment(upload(name, data)).content_type == kind


def test_png_named_pdf_is_refused():
    with pytest.raises(ValidationError) as info:
        check_attachment(upload("report.pdf", PNG_BYTES))
    assert "report.pdf" in info.value.messages[0]


def test_program_named_pdf_is_refused():
    with pytest.raises(ValidationError):
        check_attachment(upload("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60))


def test_plain_zip_named_docx_is_refused():
    with pytest.raises(ValidationError):
        check_attachment(upload("minutes.docx", zipped({"evil.exe": b"MZ"})))


def test_empty_and_too_large_files_are_refused(settings):
    with pytest.raises(ValidationError):
        check_attachment(upload("empty.pdf", b""))
    settings.DOCUMENTS_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(ValidationError):
        check_attachment(upload("big.pdf", PDF_BYTES))


def test_lying_attachment_stops_the_registration_without_a_number(media_root):
    with pytest.raises(ValidationError) as info:
        DocumentFactory(attachments=[upload("photo.jpg", PDF_BYTES)])
    assert "attachments" in info.value.message_dict
    assert not Document.objects.exists()
    assert DocumentFactory().serial == 1


def test_attachment_is_stored_under_an_unguessable_name(media_root):
    document = DocumentFactory(attachments=[upload("公文.pdf", PDF_BYTES)])
    attachment = document.attachments.get()
    assert attachment.original_name == "公文.pdf"
    assert "公文" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert attachment.size == len(PDF_BYTES)
    assert len(attachment.sha256) == 64
