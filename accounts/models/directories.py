"""Directories (LDAP/AD): their groups and the state of their sync."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .applications import Role
from .user import User


class DirectoryGroup(models.Model):
    """A group in one of the configured directories (``LDAP_DIRECTORIES[*].key``)."""

    directory = models.CharField(_("directory"), max_length=50)
    dn = models.CharField(_("distinguished name"), max_length=500)
    name = models.CharField(_("name"), max_length=200)
    roles = models.ManyToManyField(
        Role,
        verbose_name=_("mapped roles"),
        blank=True,
        related_name="directory_groups",
        help_text=_("Members of this group hold these roles."),
    )
    members = models.ManyToManyField(
        User, verbose_name=_("members"), blank=True, related_name="directory_groups"
    )
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory group")
        verbose_name_plural = _("directory groups")
        ordering = ["directory", "name"]
        constraints = [
            models.UniqueConstraint(fields=["directory", "dn"], name="accounts_dirgroup_unique_dn")
        ]

    def __str__(self) -> str:
        return f"{self.directory}: {self.name}"


class DirectorySyncState(models.Model):
    """Where the last incremental sync of a directory stopped (e.g. its modifyTimestamp), its
    last error, and whether the administrators were told it is down."""

    directory = models.CharField(_("directory"), max_length=50, unique=True)
    last_change_marker = models.CharField(_("last change marker"), max_length=100, blank=True)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Set when the administrators were alerted that the directory is unreachable; cleared by
    # the next successful sync, so one outage gives one alert (accounts.ldap.services).
    outage_alerted_at = models.DateTimeField(
        _("outage alerted at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("directory sync state")
        verbose_name_plural = _("directory sync states")

    def __str__(self) -> str:
        return self.directory
