"""On-call rotas: the shifts of every rota (current and coming first), create, change and
delete a shift; monitoring managers only, everyone else gets 403. An invalid form answers 400
with the form as typed; a form sent twice makes one shift (``managed``)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..forms import ShiftForm
from ..models import OnCallShift
from ..services import rotas
from .managed import delete_page, form_page, require_manager
from .pages import _page

RENAMES = {"starts_at": "starts_time", "ends_at": "ends_time"}
#: Past shifts shown on the list (older ones stay in the admin).
PAST_DAYS = 14


@require_GET
def rota_list(request):
    require_manager(request)
    now = timezone.now()
    shifts = selectors.shifts_visible_to(request.user).filter(
        ends_at__gte=now - timedelta(days=PAST_DAYS)
    )
    rows = [
        (shift, shift.starts_at <= now < shift.ends_at, shift.ends_at <= now) for shift in shifts
    ]
    return _page(request, "monitoring/rota_list.html", {"rows": rows, "past_days": PAST_DAYS})


def _shift_page(request, shift: OnCallShift | None):
    form = ShiftForm(
        request.POST if request.method == "POST" else None,
        people=selectors.people_choices(),
        shift=shift,
        initial=None if shift else {"rota": request.GET.get("rota", "")[:50]},
    )
    return form_page(
        request,
        obj=shift,
        form=form,
        save=partial(rotas.shift_save, shift=shift),
        saved_message=_("The on-call shift is saved."),
        edit_url="monitoring:rota-edit",
        template="monitoring/rota_form.html",
        context_name="shift",
        renames=RENAMES,
    )


@require_http_methods(["GET", "POST"])
def shift_create(request):
    require_manager(request)
    return _shift_page(request, None)


def _shift(request, pk: int) -> OnCallShift:
    require_manager(request)
    return get_object_or_404(selectors.shifts_visible_to(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def shift_edit(request, pk: int):
    return _shift_page(request, _shift(request, pk))


@require_http_methods(["GET", "POST"])
def shift_delete(request, pk: int):
    shift = _shift(request, pk)
    return delete_page(
        request,
        obj=shift,
        delete=partial(rotas.shift_delete, shift=shift),
        deleted_message=_("The on-call shift is deleted."),
        list_url="monitoring:rotas",
        edit_url="monitoring:rota-edit",
        section="rotas",
        title=_("Delete the on-call shift %(name)s") % {"name": str(shift)},
        text=_("Steps naming the rota no longer tell this person during this shift."),
        button=_("Delete the shift"),
    )
