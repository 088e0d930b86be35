"""Applications that sign in through the portal, roles, and who holds them where."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

from core.models import BilingualNameMixin

from ..choices import (
    RoleSource,
)
from .user import User

role_code_validator = RegexValidator(
    regex=r"^(?:[-a-zA-Z0-9_]+|[a-z][a-z0-9_]*\.[a-z0-9_-]+)$",
    message=_(
        "Enter a code of letters, digits, hyphens and underscores, or a portal-wide code "
        "“<app>.<name>” such as “petitions.handler”."
    ),
)


class Application(AbstractApplication):
    """An application that signs users in through this portal (an OAuth2/OIDC client).

    Beside the OAuth2 fields it carries what the launcher shows and **who may use it**: when any
    of ``allowed_units``, ``allowed_roles`` or ``allowed_directory_groups`` is set, a user must
    match at least one of them (units include their sub-units).
    """

    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.FileField(_("logo"), upload_to="applications/logos/", blank=True)
    icon = models.CharField(_("icon"), max_length=50, blank=True, default="app")
    launch_url = models.URLField(_("launch URL"), blank=True)
    show_in_launcher = models.BooleanField(_("show in launcher"), default=True)
    backchannel_logout_uri = models.URLField(_("back-channel logout URL"), blank=True)
    is_internal = models.BooleanField(
        _("internal application"),
        default=True,
        help_text=_("Internal applications skip the consent screen."),
    )
    allowed_units = models.ManyToManyField(
        "core.Organization",
        verbose_name=_("allowed units"),
        blank=True,
        related_name="+",
    )
    allowed_roles = models.ManyToManyField(
        "accounts.Role", verbose_name=_("allowed roles"), blank=True, related_name="+"
    )
    allowed_directory_groups = models.ManyToManyField(
        "accounts.DirectoryGroup",
        verbose_name=_("allowed directory groups"),
        blank=True,
        related_name="+",
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = _("application")
        verbose_name_plural = _("applications")


class Role(BilingualNameMixin, models.Model):
    """A role in one application (or portal-wide when ``application`` is empty).

    Portal-wide roles are what the portal's own apps check through ``accounts.authz``; they are
    declared by each app in ``<app>/roles.py`` and synced after ``migrate``, with codes
    ``"<app>.<name>"``. Application roles keep the slug codes their application chose.
    """

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        related_name="roles",
        on_delete=models.CASCADE,
    )
    code = models.CharField(
        _("code"), max_length=64, db_index=True, validators=[role_code_validator]
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Holders must use a second factor.")
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["application_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "code"], name="accounts_role_unique_code_per_app"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(application__isnull=True),
                name="accounts_role_unique_portal_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.name}: {self.name}" if self.application_id else self.name


class RoleAssignment(models.Model):
    """A user holds a role, optionally limited to one unit (and, unless ``include_subunits`` is
    off, every unit below it)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="role_assignments", on_delete=models.CASCADE
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), related_name="assignments", on_delete=models.CASCADE
    )
    scope = models.ForeignKey(
        "core.Organization",
        verbose_name=_("limited to unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    include_subunits = models.BooleanField(
        _("including sub-units"),
        default=True,
        help_text=_("When limited to a unit: the role also covers every unit below it."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=RoleSource.choices, default=RoleSource.MANUAL
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope"],
                name="accounts_roleassignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.role}"
