"""Runs of the HR sync."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    HRSyncStatus,
)


class HRSyncRun(models.Model):
    """One run of the HR feed (pulled on a schedule, from a file, or pushed through SCIM)."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=HRSyncStatus.choices, default=HRSyncStatus.RUNNING
    )
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    moved_count = models.PositiveIntegerField(_("moved"), default=0)
    deactivated_count = models.PositiveIntegerField(_("deactivated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(
        _("skipped"),
        default=0,
        help_text=_(
            "Rows older than the account's HR record, not yet effective, or superseded by a "
            "later row for the same employee."
        ),
    )
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    feed_digest = models.CharField(_("feed SHA-256"), max_length=64, blank=True)
    forced = models.BooleanField(
        _("safety valve overridden"),
        default=False,
        help_text=_("Run with --force: the mass-deactivation limit was not applied."),
    )

    class Meta:
        verbose_name = _("HR sync run")
        verbose_name_plural = _("HR sync runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"
