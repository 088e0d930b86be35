"""Serving a stored file to the person a view has already checked: one response for every app.

Uploaded files have no public URL (there is no ``/media/`` route). A view decides who may read
a file, then returns ``file_response(...)``:

- a download (``Content-Disposition: attachment``) unless ``inline`` (images of a page), with
  ``X-Content-Type-Options: nosniff`` and a ``sandbox`` policy, so a file never acts as a page
  of the portal's origin; ``Cache-Control: private, no-store`` unless the caller says otherwise;
- with ``MEDIA_X_ACCEL_REDIRECT_PREFIX`` set (the reverse proxy serves the media folder as an
  *internal* location there, e.g. nginx ``location /protected-media/ { internal; alias
  /data/media/; }``) the proxy sends the bytes (``X-Accel-Redirect``); otherwise they are
  streamed from Django's storage API (local folder or object store alike);
- a file missing from the storage is a 404, not a server error.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

SANDBOX = "default-src 'none'; sandbox"


def file_response(
    field_file,
    *,
    filename: str,
    content_type: str = "application/octet-stream",
    inline: bool = False,
    cache_control: str = "private, no-store",
) -> HttpResponse:
    """``field_file`` (a ``FieldFile``: ``model.file``) as the answer of an authorised view."""
    name = field_file.name
    if not name:
        raise Http404
    prefix = settings.MEDIA_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = field_file.storage.open(name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = cache_control
    return response
