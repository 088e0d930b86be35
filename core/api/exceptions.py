"""One error shape for every API answer:

``{"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": [...]}}}``

``exception_handler`` (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]) writes it for every DRF
exception, for Http404 and PermissionDenied, and for a Django ``ValidationError`` a service
raised: API views let it propagate (no try/except needed). Code that must turn one into a DRF
error itself calls ``api_validation_error``, the one converter.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def api_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The DRF ValidationError for a Django ``ValidationError``.

    Errors of fields stay under their field names; errors of the whole object (the ``__all__``
    of ``Model.clean()``, or a ValidationError raised with a message or a list) go under
    ``non_field_errors``, as DRF serializers put theirs. The message of the answer is the first
    non-field error (see ``exception_handler``).
    """
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
            for name, messages in exc.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return exceptions.ValidationError(detail)


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
    elif isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
            non_field = fields.pop(api_settings.NON_FIELD_ERRORS_KEY, None)
            message = non_field[0] if non_field else _("Some fields are not valid.")
            if non_field:
                fields[api_settings.NON_FIELD_ERRORS_KEY] = non_field
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
