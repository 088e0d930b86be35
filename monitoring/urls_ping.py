"""Heartbeat pings at /ping/<uuid> (no login; each view is marked login_not_required)."""

from django.urls import path

from .views import ping

app_name = "ping"

urlpatterns = [
    path("<uuid:key>", ping.ping_success, name="ping"),
    path("<uuid:key>/start", ping.ping_start, name="start"),
    path("<uuid:key>/fail", ping.ping_fail, name="fail"),
]
