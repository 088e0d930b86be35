"""Maintenance windows: the list (coming and past), create, change and delete; monitoring
managers only. While a window covers a check it shows *maintenance* and opens no incident."""

from __future__ import annotations

from functools import partial

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..forms import WindowForm
from ..models import ApplicationGroup, MaintenanceWindow
from ..services import windows
from .managed import delete_page, form_page, require_manager
from .pages import _page

RENAMES = {"starts_at": "starts_time", "ends_at": "ends_time"}


@require_GET
def window_list(request):
    require_manager(request)
    now = timezone.now()
    rows = []
    for window in selectors.windows_visible_to(request.user).prefetch_related("groups", "checks"):
        rows.append((window, window.occurrence_at(now) is not None, window.next_occurrence(now)))
    return _page(request, "monitoring/window_list.html", {"rows": rows})


def _window_page(request, window: MaintenanceWindow | None):
    form = WindowForm(
        request.POST if request.method == "POST" else None,
        groups=ApplicationGroup.objects.filter(
            pk__in=selectors.groups_visible_to(request.user).values("pk")
        ).order_by("order", "code"),
        checks=selectors.checks_visible_to(request.user).order_by("group__order", "name", "pk"),
        window=window,
    )
    return form_page(
        request,
        obj=window,
        form=form,
        save=partial(windows.window_save, window=window),
        saved_message=_("The maintenance window is saved."),
        edit_url="monitoring:window-edit",
        template="monitoring/window_form.html",
        context_name="window",
        renames=RENAMES,
    )


@require_http_methods(["GET", "POST"])
def window_create(request):
    require_manager(request)
    return _window_page(request, None)


def _window(request, pk: int) -> MaintenanceWindow:
    require_manager(request)
    return get_object_or_404(selectors.windows_visible_to(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def window_edit(request, pk: int):
    return _window_page(request, _window(request, pk))


@require_http_methods(["GET", "POST"])
def window_delete(request, pk: int):
    window = _window(request, pk)
    return delete_page(
        request,
        obj=window,
        delete=partial(windows.window_delete, window=window),
        deleted_message=_("The maintenance window is deleted."),
        list_url="monitoring:windows",
        edit_url="monitoring:window-edit",
        section="windows",
        title=_("Delete the maintenance window %(title)s") % {"title": window.title},
        text=_("Checks it covers are watched and alert again during its times, from now on."),
        button=_("Delete the window"),
    )
