"""Pages of leave (差假): my balances and history, a request, its page (the deputy's answer,
cancellation, amendment), the team absence calendar of a unit head."""

from __future__ import annotations

import calendar
import datetime as dt
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors
from documents import selectors as documents_selectors

from ..choices import LeaveStatus
from ..forms import LeaveRequestForm, MonthForm
from ..selectors import leave as selectors
from ..services import leave as services

RENAMES = {"start": "start_date", "end": "end_date", "template": None}


def _page(request, template: str, context: dict):
    context.setdefault("is_head", bool(selectors.headed_unit_ids(request.user)))
    return render(request, template, context)


@require_GET
def leave_home(request):
    year = timezone.localdate().year
    history = selectors.my_requests(request.user).order_by("-start", "-pk")
    status = request.GET.get("status", "")
    if status in LeaveStatus.values:
        history = history.filter(status=status)
    page = Paginator(history, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/leave/home.html",
        {
            "balances": selectors.balances(request.user, year),
            "year": year,
            "page": page,
            "status": status,
            "statuses": LeaveStatus.choices,
            "deputy_waiting": selectors.deputy_waiting(request.user),
            "is_head": bool(selectors.headed_unit_ids(request.user)),
        },
    )


def _form(request, *, data=None, files=None, initial=None):
    return LeaveRequestForm(
        data,
        files,
        initial=initial,
        leave_types=selectors.leave_types(),
        deputies=selectors.deputy_choices(request.user),
    )


def _submit(request, form, *, amends=None):
    data = form.cleaned_data
    values = {
        "leave_type": data["leave_type"],
        "start": data["start"],
        "end": data["end"],
        "reason": data["reason"],
        "deputy": data["deputy"],
    }
    if data.get("attachment"):
        values["attachment"] = data["attachment"]
    if amends is not None:
        return services.leave_amend(request=amends, actor=request.user, **values)
    return services.leave_request_create(actor=request.user, **values)


@require_http_methods(["GET", "POST"])
def leave_new(request):
    form = _form(
        request,
        data=request.POST or None,
        files=request.FILES or None,
        initial={"start_time": "08:30", "end_time": "17:30"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            leave = _submit(request, form)
        except ValidationError as exc:
            add_service_errors(form, exc, RENAMES)
        else:
            messages.success(request, _("Leave requested; your deputy has been asked."))
            return redirect(leave.get_absolute_url())
    return _page(request, "portal/leave/request_form.html", {"form": form, "amends": None})


@require_http_methods(["GET", "POST"])
def leave_amend(request, pk: int):
    leave = selectors.request_get(request.user, pk)
    if not selectors.may_cancel(request.user, leave):
        raise Http404
    local_start, local_end = timezone.localtime(leave.start), timezone.localtime(leave.end)
    form = _form(
        request,
        data=request.POST or None,
        files=request.FILES or None,
        initial={
            "leave_type": leave.leave_type,
            "start_date": local_start.date(),
            "start_time": local_start.time(),
            "end_date": local_end.date(),
            "end_time": local_end.time(),
            "reason": leave.reason,
            "deputy": leave.deputy,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = _submit(request, form, amends=leave)
        except ValidationError as exc:
            add_service_errors(form, exc, RENAMES)
        else:
            messages.success(request, _("Leave amended; your deputy has been asked again."))
            return redirect(new.get_absolute_url())
    return _page(request, "portal/leave/request_form.html", {"form": form, "amends": leave})


@require_GET
def leave_detail(request, pk: int):
    leave = selectors.request_get(request.user, pk)
    chain = documents_selectors.open_chain_for(leave) if leave.status == "pending" else None
    return _page(
        request,
        "portal/leave/request_detail.html",
        {
            "leave": leave,
            "chain": chain,
            "may_cancel": selectors.may_cancel(request.user, leave),
            "may_answer": leave.deputy_id == request.user.pk
            and leave.status == LeaveStatus.AWAITING_DEPUTY,
        },
    )


@require_GET
def leave_attachment(request, pk: int):
    leave = selectors.request_get(request.user, pk)
    if not leave.attachment:
        raise Http404
    return file_response(leave.attachment, filename=os.path.basename(leave.attachment.name))


def _act(request, pk: int, action, done: str):
    leave = selectors.request_get(request.user, pk)
    try:
        action(leave)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(leave.get_absolute_url())


@require_POST
def leave_accept(request, pk: int):
    return _act(
        request,
        pk,
        lambda leave: services.leave_deputy_answer(request=leave, actor=request.user, accept=True),
        _("You accepted to deputise; the request goes for approval."),
    )


@require_POST
def leave_decline(request, pk: int):
    return _act(
        request,
        pk,
        lambda leave: services.leave_deputy_answer(request=leave, actor=request.user, accept=False),
        _("You declined to deputise; the request is withdrawn."),
    )


@require_POST
def leave_cancel(request, pk: int):
    return _act(
        request,
        pk,
        lambda leave: services.leave_cancel(request=leave, actor=request.user),
        _("Leave cancelled; the hours are back in your balance."),
    )


@require_GET
def leave_team(request):
    if not selectors.headed_unit_ids(request.user):
        raise Http404
    form = MonthForm(request.GET or None)
    first = form.first_day()
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    absences = list(selectors.team_absences(request.user, first, last))
    days = []
    day = first
    while day <= last:
        lo = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        hi = lo + dt.timedelta(days=1)
        away = [a for a in absences if a.start < hi and a.end > lo]
        if away:
            days.append((day, away))
        day += dt.timedelta(days=1)
    previous = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    following = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    return render(
        request,
        "portal/leave/team.html",
        {
            "first": first,
            "days": days,
            "previous": previous,
            "following": following,
        },
    )
