"""Choices of the monitoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP port")
    DNS = "dns", _("DNS resolution")
    HEARTBEAT = "heartbeat", _("Heartbeat")
    PORTAL = "portal", _("Portal component")
    DATABASE = "database", _("Database activity")


class CheckState(models.TextChoices):
    NEW = "new", pgettext_lazy("check state", "New")
    UP = "up", pgettext_lazy("check state", "Up")
    LATE = "late", pgettext_lazy("check state", "Late")
    DOWN = "down", pgettext_lazy("check state", "Down")
    PAUSED = "paused", pgettext_lazy("check state", "Paused")
    MAINTENANCE = "maintenance", pgettext_lazy("check state", "Maintenance")


class PingKind(models.TextChoices):
    SUCCESS = "success", pgettext_lazy("ping", "Success")
    START = "start", pgettext_lazy("ping", "Start")
    FAIL = "fail", pgettext_lazy("ping", "Fail")


class IncidentState(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("incident", "Resolved")


class EventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("incident event", "Opened")
    ALERTED = "alerted", pgettext_lazy("incident event", "Alert sent")
    SUPPRESSED = "suppressed", pgettext_lazy("incident event", "Alert suppressed")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident event", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("incident event", "Resolved")


class Hours(models.TextChoices):
    ALWAYS = "always", _("At any time")
    OFFICE = "office", _("Office hours")
    NIGHT = "night", _("Outside office hours")


class Repeat(models.TextChoices):
    NONE = "none", pgettext_lazy("repeat", "Once")
    DAILY = "daily", pgettext_lazy("repeat", "Daily")
    WEEKLY = "weekly", pgettext_lazy("repeat", "Weekly")


class PortalComponent(models.TextChoices):
    HEALTHZ = "healthz", _("Health endpoint")
    DATABASE = "database", _("Database")
    CACHE = "cache", _("Redis cache")
    BROKER = "broker", _("Celery broker")
    WORKERS = "workers", _("Celery workers")


class DatabaseMetric(models.TextChoices):
    CONNECTIONS = "connections", _("Connections in use")
    LONG_QUERIES = "long_queries", _("Queries running longer than the limit")
    BLOCKED = "blocked", _("Blocked queries")
    SIZE_MB = "size_mb", _("Database size (MB)")
    REPLICATION_LAG = "replication_lag", _("Replication lag (seconds)")


#: Kinds the runner probes itself (a heartbeat waits for pings instead).
ACTIVE_KINDS = [
    CheckKind.HTTP,
    CheckKind.TCP,
    CheckKind.DNS,
    CheckKind.PORTAL,
    CheckKind.DATABASE,
]
