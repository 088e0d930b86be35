"""The person's launcher: quick links and how often each application was opened."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .user import User


class QuickLink(models.Model):
    """A personal link on the launcher."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="quick_links", on_delete=models.CASCADE
    )
    title = models.CharField(_("title"), max_length=100)
    url = models.URLField(_("address"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("quick link")
        verbose_name_plural = _("quick links")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class LauncherUsage(models.Model):
    """How often a user opened an application from the launcher (most used first)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE)
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE
    )
    open_count = models.PositiveIntegerField(_("times opened"), default=0)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("launcher usage")
        verbose_name_plural = _("launcher usage")
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="accounts_usage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.application} {self.open_count}"
