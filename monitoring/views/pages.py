"""Intranet pages: dashboard, check history, incident log and timeline, acknowledgement,
database activity, monthly availability report (CSV and PDF)."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from weasyprint import HTML

from accounts.models import User

from .. import selectors, selectors_db
from ..choices import CheckState
from ..forms import AcknowledgeForm, IncidentFilterForm
from ..models import Check, DatabaseSize, Incident
from ..services import alerts, checks, incidents


def _points(values: list[int], width: int = 100, height: int = 20) -> str:
    """SVG polyline points of a response-time sparkline."""
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - (v / top) * height:.1f}" for i, v in enumerate(values)
    )


def _page(request, template: str, context: dict, status: int = 200):
    context["is_manager"] = selectors.is_manager(request.user)
    return render(request, template, context, status=status)


def _require_use(request):
    if not selectors.may_use(request.user):
        raise PermissionDenied


@require_GET
def dashboard(request):
    _require_use(request)
    visible = selectors.checks_visible_to(request.user)
    rows = (
        visible.select_related("group")
        .only(
            "pk",
            "name",
            "kind",
            "state",
            "last_checked_at",
            "last_response_ms",
            "last_message",
            "group__code",
            "group__name_zh",
            "group__name_en",
            "group__order",
        )
        .order_by("group__order", "name", "pk")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    ids = [c.pk for c in page]
    uptime = selectors.uptime_ratios(ids)
    lines = selectors.sparklines(ids)
    return _page(
        request,
        "monitoring/dashboard.html",
        {
            "may_create": selectors.groups_creatable_by(request.user).exists(),
            "page": page,
            "rows": [(c, uptime[c.pk], _points(lines[c.pk])) for c in page],
            "counts": [
                (CheckState(state).label, n) for state, n in selectors.state_counts(visible).items()
            ],
            "open_incidents": selectors.open_incidents(
                selectors.incidents_visible_to(request.user)
            ).count(),
        },
    )


def _visible_check(request, pk: int) -> Check:
    _require_use(request)
    return get_object_or_404(
        selectors.checks_visible_to(request.user).select_related("group"), pk=pk
    )


@require_GET
def check_detail(request, pk: int):
    check = _visible_check(request, pk)
    results = Paginator(check.results.order_by("-at"), 50).get_page(request.GET.get("page"))
    return _page(
        request,
        "monitoring/check_detail.html",
        {
            "check": check,
            "results": results,
            "pings": check.pings.order_by("-at")[:20] if check.is_heartbeat else [],
            "daily": check.daily.order_by("-day")[:90],
            "incidents": check.incidents.order_by("-opened_at")[:20],
            "uptime": selectors.uptime_ratios([check.pk])[check.pk],
            "may_operate": selectors.may_operate(request.user, check),
            "depends_on": check.depends_on.select_related("group").order_by("name"),
            "contact_rules": check.contact_rules.order_by("name"),
        },
    )


@require_POST
def check_pause(request, pk: int):
    check = _visible_check(request, pk)
    checks.check_pause(actor=request.user, check=check)
    messages.success(request, _("The check is paused."))
    return redirect(check)


@require_POST
def check_resume(request, pk: int):
    check = _visible_check(request, pk)
    checks.check_resume(actor=request.user, check=check)
    messages.success(request, _("The check runs again."))
    return redirect(check)


@require_GET
def incident_list(request):
    _require_use(request)
    form = IncidentFilterForm(request.GET or None)
    found = selectors.incidents_visible_to(request.user).select_related(
        "check_ref__group", "acknowledged_by", "suppressed_by__check_ref"
    )
    if form.is_valid() and form.cleaned_data["state"]:
        found = found.filter(state=form.cleaned_data["state"])
    page = Paginator(found.order_by("-opened_at"), 50).get_page(request.GET.get("page"))
    return _page(request, "monitoring/incident_list.html", {"page": page, "form": form})


def _visible_incident(request, pk: int) -> Incident:
    _require_use(request)
    return get_object_or_404(
        selectors.incidents_visible_to(request.user).select_related("check_ref__group"), pk=pk
    )


@require_GET
def incident_detail(request, pk: int):
    incident = _visible_incident(request, pk)
    return _page(
        request,
        "monitoring/incident_detail.html",
        {
            "incident": incident,
            "events": incident.events.select_related("actor"),
            "suppressed": incident.suppressed.select_related("check_ref"),
            "may_operate": selectors.may_operate(request.user, incident.check_ref),
            "form": AcknowledgeForm(),
        },
    )


@require_POST
def incident_acknowledge(request, pk: int):
    incident = _visible_incident(request, pk)
    try:
        incidents.incident_acknowledge(actor=request.user, incident=incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Acknowledged: no further alerts will be sent."))
    return redirect(incident)


def _link_target(token: str) -> tuple[Incident, User]:
    try:
        incident_id, user_id = alerts.ack_token_read(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    incident = Incident.objects.select_related("check_ref__group").filter(pk=incident_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if incident is None or user is None:
        raise Http404
    return incident, user


@login_not_required
def acknowledge_link(request, token: str):
    """The signed link of an alert: GET shows a button (mail scanners open links), POST
    acknowledges as the person the alert was sent to."""
    incident, person = _link_target(token)
    done = False
    error = ""
    if request.method == "POST":
        try:
            incidents.incident_acknowledge(actor=person, incident=incident, via="link")
            done = True
        except (ValidationError, PermissionDenied):
            error = _("This incident can no longer be acknowledged.")
    return render(
        request,
        "monitoring/acknowledge_link.html",
        {"incident": incident, "done": done, "error": error},
    )


@require_GET
def database_activity(request):
    if not selectors.is_manager(request.user):
        raise PermissionDenied
    since = timezone.localdate() - timedelta(days=30)
    return _page(
        request,
        "monitoring/database.html",
        {
            "readings": selectors_db.activities(),
            "sizes": DatabaseSize.objects.filter(day__gte=since).order_by(
                "server", "database", "day"
            ),
        },
    )


def _month(request) -> tuple[str, date, date]:
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except ValueError as exc:
        raise Http404 from exc
    return month, start, (start + timedelta(days=32)).replace(day=1)


@require_GET
def availability_pdf(request):
    """The same report as a PDF (WeasyPrint), for the ISMS review file."""
    _require_use(request)
    month, start, end = _month(request)
    rows = selectors.availability(selectors.checks_visible_to(request.user), start, end)
    document = render_to_string(
        "monitoring/availability_pdf.html",
        {"rows": rows, "month": month, "start": start, "end": end - timedelta(days=1)},
        request=request,
    )
    response = HttpResponse(HTML(string=document).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="availability-{month}.pdf"'
    return response


@require_GET
def availability_csv(request):
    """Monthly availability of the visible checks (``?month=YYYY-MM``), for the ISMS review."""
    _require_use(request)
    month, start, end = _month(request)
    rows = selectors.availability(selectors.checks_visible_to(request.user), start, end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="availability-{month}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Group"), _("Check"), _("Results"), _("Up"), _("Availability (%)")])
    for row in rows:
        writer.writerow(row)
    return response
