"""Maintenance windows: the list (coming and past), create and change; monitoring managers
only. While a window covers a check it shows *maintenance* and opens no incident."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import ConfirmForm, WindowForm
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


@require_http_methods(["GET", "POST"])
def window_delete(request, pk: int):
    _require_manager(request)
    window = get_object_or_404(selectors.windows_visible_to(request.user), pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        windows.window_delete(actor=request.user, window=window)
        messages.success(request, _("The maintenance window is deleted."))
        return redirect("monitoring:windows")
    return _page(
        request,
        "monitoring/confirm_delete.html",
        {
            "form": form,
            "section": "windows",
            "title": _("Delete the maintenance window %(title)s") % {"title": window.title},
            "text": _(
                "Checks it covers are watched and alert again during its times, from now on."
            ),
            "button": _("Delete the window"),
            "cancel_url": reverse("monitoring:window-edit", args=[window.pk]),
        },
    )
