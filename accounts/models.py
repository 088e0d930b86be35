from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

from .choices import (
    EmploymentStatus,
    HRSyncStatus,
    LoginMethod,
    RoleSource,
    UnitOfficerKind,
    UnitOfficerSource,
)

mobile_validator = RegexValidator(
    regex=r"^\+?[0-9]{8,15}$",
    message=_("Enter a mobile number of 8 to 15 digits, optionally starting with +."),
)

role_code_validator = RegexValidator(
    regex=r"^(?:[-a-zA-Z0-9_]+|[a-z][a-z0-9_]*\.[a-z0-9_-]+)$",
    message=_(
        "Enter a code of letters, digits, hyphens and underscores, or a portal-wide code "
        "“<app>.<name>” such as “petitions.handler”."
    ),
)


class User(AbstractUser):
    """A person of the ministry. One account per person, kept in step with the HR feed.

    ``username`` is the login name; ``employee_number`` ties the account to HR and to the
    directories. ``is_active`` is driven by HR sync: leavers are deactivated, never deleted.
    """

    employee_number = models.CharField(
        _("employee number"), max_length=20, unique=True, null=True, blank=True
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(
        _("mobile"),
        max_length=16,
        blank=True,
        validators=[mobile_validator],
        help_text=_("Used for SMS notices."),
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        related_name="members",
        on_delete=models.PROTECT,
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    employment_status = models.CharField(
        _("employment status"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.ACTIVE,
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    hr_effective_date = models.DateField(
        _("HR effective date"),
        null=True,
        blank=True,
        help_text=_("Effective date of the last HR record applied to this account."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        name = self.display_name
        return f"{name} ({self.username})" if name != self.username else self.username

    @property
    def display_name(self) -> str:
        lang = (get_language() or "zh-hant").lower()
        if lang.startswith("en"):
            return self.name_en or self.name_zh or self.get_full_name() or self.username
        return self.name_zh or self.name_en or self.get_full_name() or self.username


# --- Applications, roles and access policy (the SSO side) -------------------------------------


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


class Role(models.Model):
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
        lang = (get_language() or "zh-hant").lower()
        name = self.name_en if lang.startswith("en") and self.name_en else self.name_zh
        return f"{self.application.name}: {name}" if self.application_id else name


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


class UnitOfficer(models.Model):
    """The head or a deputy head of an organisation unit.

    One head per unit (a database constraint); deputies are ordered by ``sort_order``. Rows
    from the HR feed (``source=hr``) are kept in step by HR sync; rows entered in the admin
    (``source=manual``) are never touched by it. Read through ``accounts.authz.unit_head`` and
    friends.
    """

    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation unit"),
        related_name="officers",
        on_delete=models.CASCADE,
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="unit_offices", on_delete=models.CASCADE
    )
    kind = models.CharField(_("office"), max_length=10, choices=UnitOfficerKind.choices)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=UnitOfficerSource.choices,
        default=UnitOfficerSource.MANUAL,
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit head or deputy")
        verbose_name_plural = _("unit heads and deputies")
        ordering = ["unit_id", "kind", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(kind=UnitOfficerKind.HEAD),
                name="accounts_unitofficer_one_head",
                violation_error_message=_("This unit already has a head."),
            ),
            models.UniqueConstraint(
                fields=["unit", "user", "kind"], name="accounts_unitofficer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display()} {self.user}"


# --- Directories (LDAP/AD) ---------------------------------------------------------------------


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
    """Where the last incremental sync of a directory stopped (e.g. its modifyTimestamp)."""

    directory = models.CharField(_("directory"), max_length=50, unique=True)
    last_change_marker = models.CharField(_("last change marker"), max_length=100, blank=True)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("directory sync state")
        verbose_name_plural = _("directory sync states")

    def __str__(self) -> str:
        return self.directory


# --- HR sync ----------------------------------------------------------------------------------


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


# --- Login methods and the person's own things ------------------------------------------------


class ClientCertificate(models.Model):
    """A client certificate (e.g. 自然人憑證) a user registered for certificate login."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="certificates", on_delete=models.CASCADE
    )
    serial_number = models.CharField(_("serial number"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=500)
    subject = models.CharField(pgettext_lazy("certificate", "subject"), max_length=500)
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client certificate")
        verbose_name_plural = _("client certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "serial_number"], name="accounts_cert_unique_issuer_serial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial_number})"


class PasswordHistory(models.Model):
    """Previous password hashes, so a user cannot reuse recent passwords."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="password_history", on_delete=models.CASCADE
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


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


# The OpenID Connect part's models (subject identifiers, application sign-ins, back-channel
# logout deliveries) live in accounts/oidc/models.py, under this app's label.
from .oidc.models import (  # noqa: E402,F401,I001
    ApplicationSignIn,
    BackchannelLogoutDelivery,
    SubjectIdentifier,
)
