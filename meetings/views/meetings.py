from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors

from .. import ical, selectors, services
from ..forms import (
    AgendaItemForm,
    DecisionForm,
    DirectiveForm,
    FilingOpenForm,
    LateDecisionForm,
    MeetingForm,
)
from ..models import CalendarFeed, LateChangeRequest
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


@require_GET
def meeting_ics(request, pk: int):
    """The meeting as an iCalendar invitation (RFC 5545) for the attendees' calendars."""
    meeting = meeting_or_404(request.user, pk)
    host = request.get_host().split(":")[0]
    body = ical.calendar(
        [
            ical.event_lines(
                meeting, host=host, url=request.build_absolute_uri(meeting.get_absolute_url())
            )
        ]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """The person's subscription: make it, reset it (a new address) or revoke it. Only the
    token's hash is stored, so the address is shown on the answer that made it, not later."""
    feed = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("The calendar subscription was revoked."))
            return redirect("meetings:calendar")
        if action == "reset":
            feed = services.calendar_feed_reset(actor=request.user)
            messages.success(
                request, _("A new subscription address was made; the old one no longer works.")
            )
        else:
            feed = services.calendar_feed_enable(actor=request.user)
    feed = feed or CalendarFeed.objects.filter(user=request.user).first()
    response = render(
        request,
        "meetings/calendar.html",
        {
            "feed": feed,
            "feed_url": (
                request.build_absolute_uri(feed.get_absolute_url()) if feed and feed.token else ""
            ),
            "meetings": selectors.attended_meetings(request.user)[:20],
        },
    )
    response["Cache-Control"] = "no-store"  # the address is a credential
    return response


@login_not_required
@require_GET
def calendar_feed(request, token: str):
    """Public by design: a calendar program cannot log in, so the secret token in the URL is the
    credential. Read-only; an unknown, reset or revoked token, or an inactive person, is a
    404. Lists the meetings the person attends, with the pages' visibility."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=CalendarFeed.hash_token(token), user__is_active=True)
        .first()
        if len(token) <= 64
        else None
    )
    if feed is None:
        raise Http404
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    host = request.get_host().split(":")[0]
    events = [
        ical.event_lines(m, host=host, url=request.build_absolute_uri(m.get_absolute_url()))
        for m in selectors.attended_meetings(feed.user)
    ]
    response = HttpResponse(
        ical.calendar(events, name=_("MOL meetings")), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
