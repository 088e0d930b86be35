"""``core.files.file_response``: the one answer of every view that serves a stored file."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404

from core.files import file_response


@pytest.fixture
def stored(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("attachments/2026/report.pdf", ContentFile(b"%PDF-1.7 body"))
    field = FileField(storage=storage)
    field.storage = storage
    return FieldFile(instance=None, field=field, name=name)


def test_a_download_streamed_from_the_storage(stored, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = ""
    response = file_response(stored, filename="報告 <1>.pdf", content_type="application/pdf")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 body"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%A0%B1%E5%91%8A" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_inline_with_its_own_cache_rule(stored, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = ""
    response = file_response(
        stored, filename="chart.png", content_type="image/png", inline=True,
        cache_control="public, max-age=86400",
    )  # fmt: skip
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "public, max-age=86400"


def test_the_proxy_sends_the_bytes_when_configured(stored, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = file_response(stored, filename="r.pdf", content_type="application/pdf")
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored.name
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_from_the_storage_is_not_found(stored, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = ""
    stored.storage.delete(stored.name)
    with pytest.raises(Http404):
        file_response(stored, filename="r.pdf")
    stored.name = ""
    with pytest.raises(Http404):
        file_response(stored, filename="r.pdf")
