"""Baseline of the benchmarks: the smallest Django project that answers JSON (no apps, no
middleware, no database), served by gunicorn the same way as the portal. Not a benchmark
itself (``make bench`` skips modules starting with ``_``)."""

import secrets

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_I18N=False,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def bare(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bare", bare)]
application = get_wsgi_application()
