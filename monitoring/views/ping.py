"""Heartbeat pings: ``/ping/<uuid>`` (success), ``/start`` and ``/fail``, by GET or POST,
without a login (the uuid is the secret, as in healthchecks). The body of a POST (first
``PING_BODY_BYTES``) is kept with the ping. Answers ``OK`` (200) or ``not found`` (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.http import client_ip

from ..choices import PingKind
from ..constants import PING_BODY_BYTES
from ..models import Check
from ..services.heartbeats import ping_record, ping_record_steady

#: What a ping reads of its check (the rest is loaded only if an incident opens): a narrow
#: SELECT without ORDER BY compiles and runs in a fraction of the full row's time.
PING_FIELDS = (
    "pk",
    "name",
    "group_id",
    "kind",
    "enabled",
    "state",
    "last_ping_at",
    "last_start_at",
    "last_message",
    "expected_pings",
    "period_seconds",
    "grace_seconds",
    "cron",
    "time_zone",
)


def ping_response(request, key, kind: str) -> HttpResponse:
    """Record one ping of the check ``key`` (shared with ``monitoring.wsgi_ping``)."""
    body = ""
    if request.method == "POST":
        body = request.body[:PING_BODY_BYTES].decode("utf-8", "replace")
    if kind == PingKind.SUCCESS and ping_record_steady(
        key=key, body=body, remote_addr=client_ip(request)
    ):
        return HttpResponse("OK", content_type="text/plain")
    found = list(Check.objects.filter(uuid=key).only(*PING_FIELDS).order_by()[:1])
    check = found[0] if found else None
    if check is None:
        return HttpResponse("not found", status=404, content_type="text/plain")
    ping_record(check=check, kind=kind, body=body, remote_addr=client_ip(request))
    return HttpResponse("OK", content_type="text/plain")


@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def ping_success(request, key):
    return ping_response(request, key, PingKind.SUCCESS)


@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def ping_start(request, key):
    return ping_response(request, key, PingKind.START)


@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def ping_fail(request, key):
    return ping_response(request, key, PingKind.FAIL)
