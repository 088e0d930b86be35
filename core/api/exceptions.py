"""One error shape for every API answer:

``{"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": [...]}}}``

``exception_handler`` (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]) writes it for every DRF
exception, for Http404 and PermissionDenied, and for a Django ``ValidationError`` a service
raised: API views let it propagate (no try/except needed). Code that must turn one into a DRF
error itself calls ``api_validation_error``, the one converter.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

REALM = "api"

# The portal's own wording for DRF's and Django's standard errors, by code, so that every one is
# in the portal's catalogue (DRF's zh-Hant catalogue lacks several). Used whenever an exception
# carries its class's default message; a message a view chose is kept.
MESSAGES = {
    "not_authenticated": gettext_lazy("Authentication credentials were not provided."),
    "authentication_failed": gettext_lazy("Incorrect authentication credentials."),
    "permission_denied": gettext_lazy("You do not have permission to perform this action."),
    "not_found": gettext_lazy("Not found."),
    "method_not_allowed": gettext_lazy("This method is not allowed here."),
    "not_acceptable": gettext_lazy("The requested response format cannot be served."),
    "unsupported_media_type": gettext_lazy("The request body's media type is not supported."),
    "parse_error": gettext_lazy("The request body could not be read."),
    "throttled": gettext_lazy("Too many requests. Please try again later."),
    "error": gettext_lazy("A server error occurred."),
    "unavailable": gettext_lazy(
        "The service is temporarily unavailable. Please try again in a few minutes."
    ),
}


def error_body(status_code: int, code: str, message=None, fields=None) -> dict:
    """The one error shape: ``{"error": {"status", "code", "message", "fields"}}``."""
    if message is None:
        message = MESSAGES.get(code, MESSAGES["error"])
    return {
        "error": {
            "status": status_code,
            "code": code,
            "message": str(message),
            "fields": fields or {},
        }
    }


def error_response(status_code: int, code: str, message=None, headers=None) -> JsonResponse:
    """An error in the API shape outside DRF (error handlers, middleware). A 401 names the
    scheme (``WWW-Authenticate: Bearer realm="api"``)."""
    response = JsonResponse(error_body(status_code, code, message), status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    if status_code == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
    return response


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
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        default = getattr(type(exc), "default_detail", None)
        if code in MESSAGES and (default is None or message == str(default)):
            message = str(MESSAGES[code])
    body = error_body(response.status_code, code, message, fields)
    headers = {}
    for name in ("WWW-Authenticate", "Retry-After", "Allow"):
        if name in response:
            headers[name] = response[name]
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
    return Response(body, status=response.status_code, headers=headers)
