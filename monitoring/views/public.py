"""The status page of an application group and the Prometheus metrics.

- ``/monitoring/status/<code>/``: a public group's page needs no login (current state of its
  checks, open and recent incidents, planned maintenance); a group that is not public is
  shown to signed-in people who may see it, and is a 404 to everyone else.
- ``/monitoring/metrics``: Prometheus text format, for a bearer token
  (``MONITORING_METRICS_TOKEN``) or a monitoring manager's session.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import selectors
from ..choices import CheckState
from ..models import ApplicationGroup, Check, Incident, MaintenanceWindow


@login_not_required
@require_GET
def status_page(request, code: str):
    group = get_object_or_404(ApplicationGroup, code=code)
    if not group.public and not (
        request.user.is_authenticated
        and selectors.groups_visible_to(request.user).filter(pk=group.pk).exists()
    ):
        raise Http404
    now = timezone.now()
    checks = list(group.checks.order_by("name").only("pk", "name", "state", "group_id"))
    window_rows = MaintenanceWindow.objects.filter(groups=group) | MaintenanceWindow.objects.filter(
        checks__group=group
    )
    planned = []
    for window in window_rows.distinct():
        occurrence = window.next_occurrence(now)
        if occurrence and occurrence[0] < now + timedelta(days=30):
            planned.append((window, occurrence[0], occurrence[1]))
    planned.sort(key=lambda item: item[1])
    incidents = (
        Incident.objects.filter(check_ref__group=group, opened_at__gte=now - timedelta(days=14))
        .select_related("check_ref")
        .order_by("-opened_at")[:20]
    )
    worst = CheckState.UP
    states = {c.state for c in checks}
    for state in (CheckState.DOWN, CheckState.LATE, CheckState.MAINTENANCE):
        if state in states:
            worst = state
            break
    return render(
        request,
        "monitoring/status.html",
        {
            "group": group,
            "checks": checks,
            "planned": planned,
            "incidents": incidents,
            "overall": worst,
            "overall_label": CheckState(worst).label,
        },
    )


def _metrics_allowed(request) -> bool:
    token = settings.MONITORING_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), token)
    return request.user.is_authenticated and selectors.is_manager(request.user)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


@login_not_required
@never_cache
@require_GET
def metrics(request):
    if not _metrics_allowed(request):
        return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    lines = [
        "# HELP monitoring_check_up 1 when the check is up, 0 when down or late, -1 otherwise.",
        "# TYPE monitoring_check_up gauge",
    ]
    rows = Check.objects.values_list(
        "pk", "name", "kind", "group__code", "state", "last_response_ms"
    ).order_by("pk")
    times = [
        "# HELP monitoring_check_response_ms Last response time.",
        "# TYPE monitoring_check_response_ms gauge",
    ]
    value = {CheckState.UP: 1, CheckState.DOWN: 0, CheckState.LATE: 0}
    for pk, name, kind, group, state, response_ms in rows.iterator():
        labels = f'id="{pk}",name="{_label(name)}",kind="{kind}",group="{_label(group)}"'
        lines.append(f"monitoring_check_up{{{labels}}} {value.get(state, -1)}")
        if response_ms is not None:
            times.append(f"monitoring_check_response_ms{{{labels}}} {response_ms}")
    open_count = Incident.objects.exclude(state="resolved").count()
    lines += times
    lines += [
        "# HELP monitoring_incidents_open Incidents not resolved.",
        "# TYPE monitoring_incidents_open gauge",
        f"monitoring_incidents_open {open_count}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )
