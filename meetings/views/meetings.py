from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors

from .. import selectors, services
from ..forms import (
    AgendaItemForm,
    DecisionForm,
    DirectiveForm,
    FilingOpenForm,
    LateDecisionForm,
    MeetingForm,
)
from ..models import LateChangeRequest
from .common import form_errors_to_messages, meeting_or_404, run


def meeting_list(request):
    meetings = selectors.meeting_list(request.user).order_by("-starts_at")[:200]
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": meetings,
            "may_create": selectors.controlled_series(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request):
    series = selectors.controlled_series(request.user)
    if not series.exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, series_choices=series)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                series=data["series"],
                actor=request.user,
                title=data["title"],
                starts_at=form.combine("starts"),
                place=data["place"],
                chair=data["chair"],
                secretary=data["secretary"],
                attendees=data["attendees"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"starts_at": "starts_date"})
        else:
            messages.success(request, _("The meeting was created."))
            return redirect(meeting)
    return render(request, "meetings/meeting_new.html", {"form": form})


def meeting_detail(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    user = request.user
    full = selectors.reads_meeting(user, meeting)
    controller = selectors.is_controller(user, meeting)
    secretary = selectors.is_secretary(user, meeting)
    reports = list(selectors.reports_visible(user, meeting))
    context = {
        "meeting": meeting,
        "full": full,
        "controller": controller,
        "secretary": secretary,
        "organiser": controller or secretary,
        "reports": reports,
        "items": [
            (
                item,
                DecisionForm(auto_id=f"dec{item.pk}_%s", initial={"decision": item.decision})
                if secretary
                else None,
            )
            for item in selectors.agenda(meeting)
        ]
        if full or meeting.status != "draft"
        else [],
        "books": list(selectors.books(meeting)) if full else [],
        "cases": list(selectors.carried_cases(meeting)) if full else [],
        "late_requests": [
            (late, LateDecisionForm(auto_id=f"late{late.pk}_%s"))
            for late in LateChangeRequest.objects.filter(
                report__meeting=meeting, status="pending"
            ).select_related("report__unit", "requested_by")
        ]
        if controller
        else [],
        "filing_form": FilingOpenForm(
            auto_id="filing_%s", initial={"units": [r.unit_id for r in reports]}
        )
        if controller
        else None,
        "item_form": AgendaItemForm(auto_id="item_%s") if controller or secretary else None,
        "directive_form": DirectiveForm(meeting=meeting, auto_id="dir_%s") if secretary else None,
        "now": timezone.now(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@require_POST
def filing_open(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    form = FilingOpenForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(meeting)
    return run(
        request,
        form,
        lambda: services.filing_open(
            meeting=meeting,
            actor=request.user,
            deadline=form.combine("deadline"),
            units=form.cleaned_data["units"],
        ),
        _("The meeting is open for filing."),
        meeting.get_absolute_url(),
    )


def _simple(service, success):
    @require_POST
    def view(request, pk: int):
        meeting = meeting_or_404(request.user, pk)
        return run(
            request,
            None,
            lambda: service(meeting=meeting, actor=request.user),
            success,
            meeting.get_absolute_url(),
        )

    return view


filing_close = _simple(services.filing_close, _("Filing is closed."))
mark_held = _simple(services.meeting_mark_held, _("The meeting is marked as held."))
minutes_publish = _simple(services.minutes_publish, _("The minutes are published."))


@require_POST
def item_add(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(meeting)
    return run(
        request,
        form,
        lambda: services.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data),
        _("The agenda item was added."),
        meeting.get_absolute_url(),
    )


@require_POST
def item_decision(request, pk: int, item_pk: int):
    meeting = meeting_or_404(request.user, pk)
    item = get_object_or_404(meeting.items.all(), pk=item_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(meeting)
    return run(
        request,
        form,
        lambda: services.item_decision_record(
            item=item, actor=request.user, decision=form.cleaned_data["decision"]
        ),
        _("The decision was recorded."),
        meeting.get_absolute_url() + f"#item-{item.pk}",
    )


@require_POST
def directive_add(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    form = DirectiveForm(request.POST, meeting=meeting)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(meeting)
    return run(
        request,
        form,
        lambda: services.directive_record(meeting=meeting, actor=request.user, **form.cleaned_data),
        _("The directive is now a tracked case."),
        meeting.get_absolute_url(),
    )


def _late_decide(grant: bool):
    @require_POST
    def view(request, pk: int, request_pk: int):
        meeting = meeting_or_404(request.user, pk)
        late = get_object_or_404(
            LateChangeRequest.objects.select_related("report__meeting__series"),
            pk=request_pk,
            report__meeting=meeting,
        )
        form = LateDecisionForm(request.POST)
        form.is_valid()
        return run(
            request,
            form,
            lambda: services.late_change_decide(
                request=late,
                actor=request.user,
                grant=grant,
                comment=form.cleaned_data.get("comment", ""),
            ),
            _("The late change was granted.") if grant else _("The late change was refused."),
            meeting.get_absolute_url(),
        )

    return view


late_grant = _late_decide(True)
late_refuse = _late_decide(False)


def meeting_ics(request, pk: int):
    """The meeting as an iCalendar invitation (RFC 5545) for the attendees' calendars."""
    meeting = meeting_or_404(request.user, pk)
    start = meeting.starts_at.astimezone(dt.UTC)
    end = (meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)).astimezone(dt.UTC)

    def text(value: str) -> str:
        return (
            value.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r", "")
            .replace("\n", "\\n")
        )

    stamp = "%Y%m%dT%H%M%SZ"
    host = request.get_host().split(":")[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MOL Portal//meetings//ZH-TW",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{timezone.now().astimezone(dt.UTC).strftime(stamp)}",
        f"DTSTART:{start.strftime(stamp)}",
        f"DTEND:{end.strftime(stamp)}",
        f"SUMMARY:{text(meeting.title)}",
        f"LOCATION:{text(meeting.place)}",
        f"URL:{request.build_absolute_uri(meeting.get_absolute_url())}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
