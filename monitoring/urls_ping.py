"""Heartbeat pings at /ping/<uuid> (no login; each view is marked login_not_required)."""

app_name = "ping"

urlpatterns: list = []
