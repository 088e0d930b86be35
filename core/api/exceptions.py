"""One error shape for every API answer:

``{"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": [...]}}}``
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [
            str(item) if not isinstance(item, (dict, list)) else _flatten(item) for item in detail
        ]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
            non_field = fields.pop("non_field_errors", None)
            message = non_field[0] if non_field else _("Some fields are not valid.")
            if non_field:
                fields["non_field_errors"] = non_field
        else:
            items = _flatten(detail)
            message = items[0] if items else _("The request is not valid.")
        code = "invalid"
    else:
        message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
    body = {
        "error": {
            "status": response.status_code,
            "code": code,
            "message": message,
            "fields": fields,
        }
    }
    headers = {}
    for name in ("WWW-Authenticate", "Retry-After", "Allow"):
        if name in response:
            headers[name] = response[name]
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(body, status=response.status_code, headers=headers)
