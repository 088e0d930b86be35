"""The service monitor (資訊服務監控平台): what is watched, what was seen, who is told.

- ``ApplicationGroup``: an application (or a set of them) owned by a unit; its status page,
  its contact rules.
- ``Check``: one thing watched: an active probe (HTTP(S), TCP, DNS), a passive heartbeat
  (``/ping/<uuid>``), a part of the portal itself, or a database-activity threshold. It holds
  its current state and the claim that keeps two workers from running it at once.
- ``CheckResult``: one run of an active check (kept ``MONITORING_RESULT_DAYS``), rolled up
  into ``DailyUptime`` (kept for ever) and ``HourlyUptime`` (two days, for the 24 h figure).
  ``Ping``: one heartbeat signal.
- ``Incident`` and ``IncidentEvent``: a check going down opens one; its timeline.
- ``ContactRule`` and ``EscalationStep``: who is told, through which channels, after how long;
  ``AlertSent`` is the one row per (incident, round, step) that makes each step's alert go out
  once, however often a worker retries. ``OnCallShift``: the rota a step may name.
- ``MaintenanceWindow``: a planned (optionally recurring) window without alerts.
- ``AlertTemplate``: the alert texts, editable in both languages.
- ``WebhookDelivery``: a generic webhook call of a step, sent by a task with retries.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, CreationKeyMixin, TimeStampedModel

from .choices import (
    ACTIVE_KINDS,
    CheckKind,
    CheckState,
    DatabaseMetric,
    EventKind,
    Hours,
    IncidentState,
    PingKind,
    PortalComponent,
    Repeat,
)
from .schedules import cron_validate


class ContactRule(CreationKeyMixin, TimeStampedModel):
    """Ordered escalation steps, repeated up to ``repeat`` more times while nobody
    acknowledges. ``hours`` picks the rule by the time an incident opens."""

    name = models.CharField(_("name"), max_length=200)
    hours = models.CharField(
        _("applies"), max_length=10, choices=Hours.choices, default=Hours.ALWAYS
    )
    repeat = models.PositiveSmallIntegerField(
        _("repeats"), default=0, help_text=_("How many more times the steps run unacknowledged.")
    )

    class Meta:
        verbose_name = _("contact rule")
        verbose_name_plural = _("contact rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OnCallShift(CreationKeyMixin, models.Model):
    """One person on call from ``starts_at`` to ``ends_at`` in the rota ``rota``."""

    rota = models.SlugField(_("rota"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")
        ordering = ["rota", "starts_at"]
        indexes = [models.Index(fields=["rota", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="monitoring_shift_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rota}: {self.user}"


class EscalationStep(models.Model):
    rule = models.ForeignKey(
        ContactRule, verbose_name=_("contact rule"), related_name="steps", on_delete=models.CASCADE
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    wait_minutes = models.PositiveIntegerField(
        _("wait (minutes)"),
        default=0,
        help_text=_("Minutes after the previous step (or the opening) before this one runs."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="+"
    )
    units = models.ManyToManyField(
        "core.Organization",
        verbose_name=_("units (head and deputies)"),
        blank=True,
        related_name="+",
    )
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("Holders of this portal role.")
    )
    rota = models.SlugField(_("on-call rota"), max_length=50, blank=True)
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    webhook_url = models.URLField(_("webhook URL"), blank=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["rule", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "order"], name="monitoring_step_order")
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.order}"


class ApplicationGroup(CreationKeyMixin, BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public = models.BooleanField(
        _("public status page"), default=False, help_text=_("Shown without a login.")
    )
    contact_rules = models.ManyToManyField(
        ContactRule, verbose_name=_("contact rules"), blank=True, related_name="groups"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("application group")
        verbose_name_plural = _("application groups")
        ordering = ["order", "code"]

    def get_absolute_url(self) -> str:
        return reverse("monitoring:status", args=[self.code])


class CheckQuerySet(models.QuerySet):
    def due(self, now: datetime):
        return self.filter(enabled=True, next_run_at__lte=now, kind__in=ACTIVE_KINDS).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )


class Check(CreationKeyMixin, TimeStampedModel):
    uuid = models.UUIDField(_("ping key"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.CharField(_("slug"), max_length=120, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.ForeignKey(
        ApplicationGroup,
        verbose_name=_("application group"),
        related_name="checks",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CheckKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True, help_text=_("Off: paused."))
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        blank=True,
        related_name="dependants",
        help_text=_("While one of these is down, this check's alerts are suppressed."),
    )
    contact_rules = models.ManyToManyField(
        ContactRule,
        verbose_name=_("contact rules"),
        blank=True,
        related_name="checks",
        help_text=_("Empty: the group's rules."),
    )
    # Active checks
    url = models.URLField(_("URL"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=10, default="GET")
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    body = models.TextField(_("request body"), blank=True)
    expected_status = models.CharField(
        _("expected status"), max_length=100, default="200-399", help_text=_("E.g. 200,204-299")
    )
    keyword = models.CharField(_("keyword"), max_length=200, blank=True)
    json_path = models.CharField(
        _("JSON path"), max_length=200, blank=True, help_text=_("E.g. $.status")
    )
    json_value = models.CharField(_("expected JSON value"), max_length=200, blank=True)
    max_response_ms = models.PositiveIntegerField(
        _("response-time limit (ms)"), null=True, blank=True
    )
    verify_tls = models.BooleanField(_("verify the TLS certificate"), default=True)
    tls_warning_days = models.PositiveSmallIntegerField(
        _("certificate expiry warning (days)"), default=14
    )
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    dns_expected = models.CharField(
        _("expected address"), max_length=100, blank=True, help_text=_("Empty: any address.")
    )
    component = models.CharField(
        _("portal component"), max_length=20, choices=PortalComponent.choices, blank=True
    )
    db_metric = models.CharField(
        _("database metric"), max_length=20, choices=DatabaseMetric.choices, blank=True
    )
    db_limit = models.FloatField(_("database limit"), null=True, blank=True)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"), default=60)
    timeout_seconds = models.FloatField(_("timeout (seconds)"), default=10)
    retries = models.PositiveSmallIntegerField(_("retries"), default=0)
    failure_threshold = models.PositiveSmallIntegerField(_("failures before down"), default=2)
    success_threshold = models.PositiveSmallIntegerField(_("successes before up"), default=1)
    # Heartbeats
    period_seconds = models.PositiveIntegerField(_("period (seconds)"), default=86400)
    grace_seconds = models.PositiveIntegerField(_("grace (seconds)"), default=3600)
    cron = models.CharField(_("cron expression"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Taipei")
    expected_pings = models.PositiveSmallIntegerField(_("pings expected per period"), default=1)
    # Current state (written by the runner and the ping view only)
    state = models.CharField(
        _("state"), max_length=20, choices=CheckState.choices, default=CheckState.NEW
    )
    state_changed_at = models.DateTimeField(_("state since"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    successes = models.PositiveIntegerField(_("consecutive successes"), default=0)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_ok = models.BooleanField(_("last result ok"), null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(_("last response (ms)"), null=True, blank=True)
    last_message = models.CharField(_("last message"), max_length=300, blank=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    last_ping_at = models.DateTimeField(_("last ping"), null=True, blank=True)
    last_start_at = models.DateTimeField(_("last start signal"), null=True, blank=True)
    period_started_at = models.DateTimeField(_("period started"), null=True, blank=True)
    pings_in_period = models.PositiveIntegerField(_("pings in this period"), default=0)
    tls_expires_at = models.DateTimeField(_("certificate expires"), null=True, blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["group__order", "name"]
        indexes = [
            models.Index(fields=["enabled", "next_run_at"], name="monitoring_check_due"),
            models.Index(fields=["kind", "state"], name="monitoring_check_kind_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(failure_threshold__gte=1) & Q(success_threshold__gte=1),
                name="monitoring_thresholds_positive",
            ),
            models.CheckConstraint(
                condition=Q(interval_seconds__gte=1), name="monitoring_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:check", args=[self.pk])

    @property
    def is_heartbeat(self) -> bool:
        return self.kind == CheckKind.HEARTBEAT

    @property
    def ping_path(self) -> str:
        return reverse("ping:ping", args=[self.uuid])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.kind == CheckKind.HTTP and not self.url:
            errors["url"] = [_("An HTTP check needs a URL.")]
        if self.kind in (CheckKind.TCP,) and not (self.host and self.port):
            errors["host"] = [_("A TCP check needs a host and a port.")]
        if self.kind == CheckKind.DNS and not self.host:
            errors["host"] = [_("A DNS check needs a host name.")]
        if self.kind == CheckKind.PORTAL and not self.component:
            errors["component"] = [_("Choose the part of the portal to watch.")]
        if self.kind == CheckKind.DATABASE and not (self.db_metric and self.db_limit is not None):
            errors["db_metric"] = [_("A database check needs a metric and a limit.")]
        if self.kind == CheckKind.HEARTBEAT and self.cron:
            try:
                cron_validate(self.cron, self.time_zone)
            except ValidationError as exc:
                errors["cron"] = exc.messages
        if errors:
            raise ValidationError(errors)


class CheckResult(models.Model):
    check_ref = models.ForeignKey(
        Check, verbose_name=_("check"), related_name="results", on_delete=models.CASCADE
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    ok = models.BooleanField(_("ok"))
    response_ms = models.PositiveIntegerField(_("response (ms)"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["-at"]
        indexes = [models.Index(fields=["check_ref", "-at"], name="monitoring_result_check_at")]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'fail'}"


class DailyUptime(models.Model):
    check_ref = models.ForeignKey(
        Check, verbose_name=_("check"), related_name="daily", on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    total = models.PositiveIntegerField(_("results"), default=0)
    ok = models.PositiveIntegerField(_("results ok"), default=0)
    response_ms_avg = models.PositiveIntegerField(_("average response (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily uptime")
        verbose_name_plural = _("daily uptime")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["check_ref", "day"], name="monitoring_daily_unique")
        ]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.day}"

    @property
    def ratio(self) -> float | None:
        return self.ok / self.total if self.total else None


class HourlyUptime(models.Model):
    """One hour (starting on the UTC hour) of one check's results, written by the hourly
    rollup: the dashboard's 24 h and today's figures sum these and add the raw results of the
    current hour, so a page reads at most one hour of raw rows per check."""

    check_ref = models.ForeignKey(
        Check, verbose_name=_("check"), related_name="hourly", on_delete=models.CASCADE
    )
    hour = models.DateTimeField(_("hour"))
    total = models.PositiveIntegerField(_("results"), default=0)
    ok = models.PositiveIntegerField(_("results ok"), default=0)

    class Meta:
        verbose_name = _("hourly uptime")
        verbose_name_plural = _("hourly uptime")
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["check_ref", "hour"], name="monitoring_hourly_unique")
        ]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.hour:%Y-%m-%d %H}:00"


class Ping(models.Model):
    check_ref = models.ForeignKey(
        Check, verbose_name=_("check"), related_name="pings", on_delete=models.CASCADE
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=10, choices=PingKind.choices)
    duration_ms = models.PositiveIntegerField(_("run time (ms)"), null=True, blank=True)
    body = models.TextField(_("body"), blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("ping")
        verbose_name_plural = _("pings")
        ordering = ["-at"]
        indexes = [models.Index(fields=["check_ref", "-at"], name="monitoring_ping_check_at")]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    check_ref = models.ForeignKey(
        Check, verbose_name=_("check"), related_name="incidents", on_delete=models.CASCADE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=IncidentState.choices, default=IncidentState.OPEN
    )
    cause = models.CharField(_("cause"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_rule = models.ForeignKey(
        ContactRule,
        verbose_name=_("contact rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suppressed_by = models.ForeignKey(
        "self",
        verbose_name=_("suppressed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suppressed",
        help_text=_("The incident of a check this one depends on."),
    )
    in_maintenance = models.BooleanField(_("during maintenance"), default=False)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    next_step = models.PositiveSmallIntegerField(_("next step"), default=0)
    next_step_at = models.DateTimeField(_("next step at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["state", "next_step_at"], name="monitoring_incident_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["check_ref"],
                condition=~Q(state="resolved"),
                name="monitoring_one_open_incident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_ref} {self.opened_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:incident", args=[self.pk])

    @property
    def duration(self) -> timedelta | None:
        end = self.resolved_at or timezone.now()
        return end - self.opened_at


class IncidentEvent(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), related_name="events", on_delete=models.CASCADE
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    text = models.CharField(_("text"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class AlertSent(models.Model):
    """One escalation step's alert of one round of one incident: written in the transaction
    that queues its mails, so a retried step finds it and sends nothing."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), related_name="alerts", on_delete=models.CASCADE
    )
    round = models.PositiveSmallIntegerField(_("round"))
    step = models.ForeignKey(
        EscalationStep, verbose_name=_("step"), null=True, on_delete=models.SET_NULL
    )
    step_order = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("kind"), max_length=20, default="down")
    at = models.DateTimeField(_("at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("alert sent")
        verbose_name_plural = _("alerts sent")
        ordering = ["incident", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "round", "step_order"], name="monitoring_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.round}.{self.step_order}"


class MaintenanceWindow(CreationKeyMixin, TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    groups = models.ManyToManyField(
        ApplicationGroup, verbose_name=_("application groups"), blank=True, related_name="+"
    )
    checks = models.ManyToManyField(
        Check, verbose_name=_("checks"), blank=True, related_name="maintenance_windows"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    repeat = models.CharField(
        _("repeats"), max_length=10, choices=Repeat.choices, default=Repeat.NONE
    )
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="monitoring_maintenance_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def occurrence_at(self, when: datetime) -> tuple[datetime, datetime] | None:
        """The occurrence (start, end) covering ``when``, or None."""
        length = self.ends_at - self.starts_at
        step = {Repeat.DAILY: timedelta(days=1), Repeat.WEEKLY: timedelta(days=7)}.get(self.repeat)
        if when < self.starts_at:
            return None
        if step is None:
            return (self.starts_at, self.ends_at) if when < self.ends_at else None
        start = self.starts_at + step * ((when - self.starts_at) // step)
        if self.repeat_until and timezone.localdate(start) > self.repeat_until:
            return None
        return (start, start + length) if when < start + length else None

    def next_occurrence(self, after: datetime) -> tuple[datetime, datetime] | None:
        current = self.occurrence_at(after)
        if current:
            return current
        if after < self.starts_at:
            return self.starts_at, self.ends_at
        step = {Repeat.DAILY: timedelta(days=1), Repeat.WEEKLY: timedelta(days=7)}.get(self.repeat)
        if step is None:
            return None
        start = self.starts_at + step * ((after - self.starts_at) // step + 1)
        if self.repeat_until and timezone.localdate(start) > self.repeat_until:
            return None
        return start, start + (self.ends_at - self.starts_at)


class AlertTemplate(models.Model):
    """The texts of one kind of alert in both languages (Django template language; context:
    ``check``, ``incident``, ``ack_url``, ``link``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300)
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    sms_zh = models.CharField(_("SMS (Chinese)"), max_length=300)
    sms_en = models.CharField(_("SMS (English)"), max_length=300)

    class Meta:
        verbose_name = _("alert template")
        verbose_name_plural = _("alert templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class WebhookDelivery(models.Model):
    alert = models.ForeignKey(
        AlertSent, verbose_name=_("alert"), related_name="webhooks", on_delete=models.CASCADE
    )
    url = models.URLField(_("URL"), max_length=500)
    payload = models.JSONField(_("payload"), default=dict)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.url


class DatabaseSize(models.Model):
    """One day's size of one database of a watched server (growth = the difference)."""

    day = models.DateField(_("day"))
    server = models.CharField(_("server"), max_length=200)
    database = models.CharField(_("database"), max_length=100)
    bytes = models.BigIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("database size")
        verbose_name_plural = _("database sizes")
        ordering = ["-day", "server", "database"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "server", "database"], name="monitoring_dbsize_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.server}/{self.database} {self.day}"
