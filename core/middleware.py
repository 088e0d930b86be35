import logging

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.views import APIView

from .api.exceptions import MESSAGES, REALM, error_response
from .http import client_ip
from .request_context import RequestContext, current_request

logger = logging.getLogger(__name__)


# Errors that mean a part of the system (Redis, the broker, the database) is down or cut off,
# not a bug: the person gets the "temporarily unavailable" page (503), not the 500 page.
OUTAGE_ERRORS = (
    RedisConnectionError,
    RedisTimeoutError,
    KombuOperationalError,
    DatabaseOperationalError,
    DatabaseInterfaceError,
)


class ServiceUnavailableMiddleware:
    """A view that fails because Redis, the broker or the database is unreachable answers 503
    with ``Retry-After``: the bilingual page ``503.html`` (rendered without context processors:
    they may need the missing part), or the API error shape under ``/api/``. Logged as a
    warning with the exception; every other exception goes on to the 500 handling."""

    retry_after_seconds = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        logger.warning(
            "503 for %s: a part of the system is unavailable (%s)",
            request.path_info,
            type(exception).__name__,
            exc_info=exception,
        )
        headers = {"Retry-After": str(self.retry_after_seconds)}
        if request.path_info.startswith("/api/"):
            return error_response(503, "unavailable", headers=headers)
        return HttpResponse(loader.get_template("503.html").render({}), status=503, headers=headers)


class RequestContextMiddleware:
    """Makes the user, IP and user agent of the current request known to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestContext(
                user=getattr(request, "user", None),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class LanguageMiddleware(LocaleMiddleware):
    """The language of a response, in place of Django's ``LocaleMiddleware``.

    Pages (everything outside ``/api/``) are in ``settings.LANGUAGE_CODE`` (zh-Hant) unless the
    person chose another language with the switch, which ``django.views.i18n.set_language``
    keeps in the ``LANGUAGE_COOKIE_NAME`` cookie (``mol_language``, one year). The browser's
    ``Accept-Language`` is ignored there: a ministry site opens in 正體中文 whatever the
    browser's settings, and then stays in the language chosen.

    Under ``/api/`` (machines, other systems) Django's negotiation applies unchanged: the
    cookie first, then ``Accept-Language``, then ``LANGUAGE_CODE``; those responses vary on
    ``Accept-Language``.
    """

    api_prefix = "/api/"

    def process_request(self, request):
        if request.path_info.startswith(self.api_prefix):
            return super().process_request(request)
        translation.activate(cookie_language(request) or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if request.path_info.startswith(self.api_prefix):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def cookie_language(request) -> str | None:
    """The supported language code kept in the language cookie, or None."""
    value = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not value:
        return None
    try:
        return translation.get_supported_language_variant(value)
    except LookupError:
        return None


class IntranetLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every view needs a signed-in user unless the view itself is marked public. No path is
    public by its prefix: a view is public only when

    - it is decorated with ``django.contrib.auth.decorators.login_not_required`` (for a class,
      ``@method_decorator(login_not_required, name="dispatch")`` or ``login_required = False``
      as a class attribute), or its URL pattern is wrapped by ``core.public.public_include``;
    - or it is a Django REST framework view: DRF authenticates the request itself (session,
      bearer tokens) and answers 401/403 in the API error shape, so it is never redirected.

    An anonymous request to any other view is redirected to ``LOGIN_URL`` with ``?next=``,
    except under ``/api/``, where it gets a 401 JSON answer in the API error shape
    (``{"error": {...}}``, see ``core/api/exceptions.py``) instead of a redirect.
    ``tests/core/test_public_views.py`` walks every URL pattern and holds the list of public
    routes."""

    api_prefix = "/api/"

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_public_view(view_func):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if request.path_info.startswith(self.api_prefix):
            if request.META.get("HTTP_AUTHORIZATION", "").strip():
                # Credentials this route cannot check are refused, not ignored.
                return error_response(
                    401,
                    "invalid_token",
                    MESSAGES["authentication_failed"],
                    headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
                )
            return error_response(401, "not_authenticated")
        return super().handle_no_permission(request, view_func)


def is_public_view(view_func) -> bool:
    """Whether the view handles anonymous requests itself (see IntranetLoginRequiredMiddleware)."""
    if getattr(view_func, "login_required", True) is False:
        return True
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    if view_class is None:
        return False
    if issubclass(view_class, APIView):
        return True
    return getattr(view_class, "login_required", True) is False
