from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware

from .audit import RequestContext, current_request


def client_ip(request) -> str | None:
    """The client address. Behind a proxy Django is told so (SECURE_PROXY_SSL_HEADER) and we
    take the right-most X-Forwarded-For hop the proxy appended."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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


class IntranetLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Everything is intranet (login required) unless its path is listed as public in
    ``PUBLIC_PATHS``/``PUBLIC_PATH_PREFIXES`` or its view is marked ``@login_not_required``.
    The API and the admin authenticate on their own terms."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path_info
        if path in settings.PUBLIC_PATHS or any(
            path.startswith(prefix) for prefix in settings.PUBLIC_PATH_PREFIXES
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
