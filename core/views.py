from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .api.exceptions import error_response
from .registry import Tile, tiles
from .selectors import health_status


@login_not_required
@require_GET
def public_home(request):
    return render(
        request,
        "core/public_home.html",
        {"tiles": tiles.for_surface(Tile.PUBLIC, request.user)},
    )


@login_not_required
@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@login_not_required
@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


@require_GET
def intranet_home(request):
    return render(
        request,
        "core/intranet_home.html",
        {"tiles": tiles.for_surface(Tile.INTRANET, request.user)},
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    status = health_status()
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether the request is for the API, whose errors are JSON in the one error shape."""
    return request.path_info.startswith(API_PREFIX)


def error_403(request, exception=None):
    if is_api_request(request):
        return error_response(403, "permission_denied")
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    """Unknown addresses and ids that match no route: the page, or under /api/ the error shape."""
    if is_api_request(request):
        return error_response(404, "not_found")
    return render(request, "404.html", status=404)


def error_500(request):
    if is_api_request(request):
        return error_response(500, "error")
    # No request context: context processors may be what failed (database down, say).
    return HttpResponseServerError(loader.get_template("500.html").render({}))
