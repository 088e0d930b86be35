"""Signed-in browser sessions ("my sessions")."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    LoginMethod,
)
from .user import User


class UserSession(models.Model):
    """A signed-in browser session, for "my sessions" (device, IP, sign out one or all)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="browser_sessions", on_delete=models.CASCADE
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    method = models.CharField(_("login method"), max_length=20, choices=LoginMethod.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.ip_address}"
