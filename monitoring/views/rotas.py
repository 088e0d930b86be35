"""On-call rotas: the shifts of every rota (current and coming first), create, change and
delete a shift; monitoring managers only, everyone else gets 403. An invalid form answers 400
with the form as typed; a form sent twice makes one shift."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import ConfirmForm, ShiftForm
from ..models import OnCallShift
from ..services import checks, rotas
from .pages import _page

RENAMES = {"starts_at": "starts_time", "ends_at": "ends_time"}
#: Past shifts shown on the list (older ones stay in the admin).
PAST_DAYS = 14


def _require_manager(request):
    if not selectors.is_manager(request.user):
        raise PermissionDenied


@require_GET
def rota_list(request):
    _require_manager(request)
    now = timezone.now()
    shifts = selectors.shifts_visible_to(request.user).filter(
        ends_at__gte=now - timedelta(days=PAST_DAYS)
    )
    rows = [
        (shift, shift.starts_at <= now < shift.ends_at, shift.ends_at <= now) for shift in shifts
    ]
    return _page(request, "monitoring/rota_list.html", {"rows": rows, "past_days": PAST_DAYS})


def _shift_page(request, shift: OnCallShift | None):
    _require_manager(request)
    form = ShiftForm(
        request.POST if request.method == "POST" else None,
        people=selectors.people_choices(),
        shift=shift,
        initial=None if shift else {"rota": request.GET.get("rota", "")[:50]},
    )
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data.get("form_token")
        try:
            saved = rotas.shift_save(
                actor=request.user,
                shift=shift,
                creation_key=checks.creation_key(request.user, token) if token else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renames=RENAMES)
        else:
            messages.success(request, _("The on-call shift is saved."))
            return redirect("monitoring:rota-edit", saved.pk)
    return _page(
        request,
        "monitoring/rota_form.html",
        {"form": form, "shift": shift},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def shift_create(request):
    return _shift_page(request, None)


def _shift(request, pk: int) -> OnCallShift:
    _require_manager(request)
    return get_object_or_404(selectors.shifts_visible_to(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def shift_edit(request, pk: int):
    return _shift_page(request, _shift(request, pk))


@require_http_methods(["GET", "POST"])
def shift_delete(request, pk: int):
    shift = _shift(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rotas.shift_delete(actor=request.user, shift=shift)
        messages.success(request, _("The on-call shift is deleted."))
        return redirect("monitoring:rotas")
    return _page(
        request,
        "monitoring/confirm_delete.html",
        {
            "form": form,
            "section": "rotas",
            "title": _("Delete the on-call shift %(name)s") % {"name": str(shift)},
            "text": _("Steps naming the rota no longer tell this person during this shift."),
            "button": _("Delete the shift"),
            "cancel_url": reverse("monitoring:rota-edit", args=[shift.pk]),
        },
    )
