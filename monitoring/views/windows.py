"""Maintenance windows: the list (coming and past), create and change; monitoring managers
only. While a window covers a check it shows *maintenance* and opens no incident."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import WindowForm
from ..models import ApplicationGroup, MaintenanceWindow
from ..services import checks, windows
from .pages import _page

RENAMES = {"starts_at": "starts_time", "ends_at": "ends_time"}


def _require_manager(request):
    if not selectors.is_manager(request.user):
        raise PermissionDenied


@require_GET
def window_list(request):
    _require_manager(request)
    now = timezone.now()
    rows = []
    for window in selectors.windows_visible_to(request.user).prefetch_related("groups", "checks"):
        rows.append((window, window.occurrence_at(now) is not None, window.next_occurrence(now)))
    return _page(request, "monitoring/window_list.html", {"rows": rows})


def _window_page(request, window: MaintenanceWindow | None):
    _require_manager(request)
    form = WindowForm(
        request.POST if request.method == "POST" else None,
        groups=ApplicationGroup.objects.filter(
            pk__in=selectors.groups_visible_to(request.user).values("pk")
        ).order_by("order", "code"),
        checks=selectors.checks_visible_to(request.user).order_by("group__order", "name", "pk"),
        window=window,
    )
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data.get("form_token")
        try:
            saved = windows.window_save(
                actor=request.user,
                window=window,
                creation_key=checks.creation_key(request.user, token) if token else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renames=RENAMES)
        else:
            messages.success(request, _("The maintenance window is saved."))
            return redirect("monitoring:window-edit", saved.pk)
    return _page(
        request,
        "monitoring/window_form.html",
        {"form": form, "window": window},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def window_create(request):
    return _window_page(request, None)


@require_http_methods(["GET", "POST"])
def window_edit(request, pk: int):
    _require_manager(request)
    return _window_page(
        request, get_object_or_404(selectors.windows_visible_to(request.user), pk=pk)
    )
