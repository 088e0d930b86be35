from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, CountyKind, OrganizationKind
from .i18n import bilingual


class TimeStampedModel(models.Model):
    """Base for models that keep creation and modification times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class CreationKeyMixin(models.Model):
    """A ``creation_key``: the creating form's one-time token (e.g. monitoring's ``OnceFormMixin``),
    unique, so the same form sent twice makes one object. Null for objects made otherwise."""

    creation_key = models.CharField(
        _("creation key"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The creating form's one-time token: the same form sent twice makes one."),
    )

    class Meta:
        abstract = True


class BilingualNameMixin(models.Model):
    """Names are stored in Chinese with the English name beside them; ``.name`` (and ``str()``)
    is the English name in English when it is set, else the Chinese one (``core.i18n``).
    A model may redeclare ``name_zh``/``name_en`` (e.g. another max_length or blank)."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def roots(self):
        return self.filter(parent__isnull=True)


class Organization(BilingualNameMixin, TimeStampedModel):
    """A node of the organisation tree: ministry, agency, unit, section or local office."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    county = models.ForeignKey(
        "core.County",
        verbose_name=_("county/city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Only for local labour offices."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="core_org_not_own_parent"
            ),
        ]

    def ancestors(self) -> list["Organization"]:
        """From the root down to the parent (one query per level; the tree is shallow)."""
        chain = []
        node = self.parent
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    def descendant_ids(self) -> set[int]:
        """Ids of this unit and every unit below it, one query per level."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Organization.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids

    def clean(self):
        if self.pk and self.parent_id:
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
                node = node.parent


class County(BilingualNameMixin, models.Model):
    """One of Taiwan's 22 counties and cities, with the Ministry of the Interior's codes."""

    code = models.CharField(
        _("administrative code"),
        max_length=5,
        unique=True,
        help_text=_("Five-digit code of the Ministry of the Interior, e.g. 63000 for Taipei."),
    )
    letter = models.CharField(
        _("letter code"),
        max_length=1,
        unique=True,
        help_text=_("Household-registration letter, e.g. A for Taipei."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CountyKind.choices)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("county/city")
        verbose_name_plural = _("counties/cities")
        ordering = ["sort_order", "code"]


class AuditLogEntryQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )

    def older_than(self, moment):
        return self.filter(created_at__lt=moment)


class AuditLogEntry(models.Model):
    """One thing somebody did. Written by ``core.audit``; never edited."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    actor_repr = models.CharField(_("user (as recorded)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        help_text=_("Changed fields as {field: [before, after]}; personal data masked."),
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    objects = AuditLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor", "created_at"], name="core_audit_actor_idx"),
            models.Index(fields=["action", "created_at"], name="core_audit_action_idx"),
        ]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_repr} {self.action} {self.object_repr}"


class WorkCalendarDayQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(date__gte=start, date__lte=end)


class WorkCalendarDay(models.Model):
    """An exception to the ordinary week (Monday to Friday at work, weekends off).

    A public holiday or a bridge/compensatory day off is a row with ``is_workday=False``; a
    make-up working day (補班) on a Saturday is a row with ``is_workday=True``. Days without a
    row follow the ordinary week. Shared by every app's deadlines through ``core.dates``.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a make-up working day. Unticked: a public holiday or day off."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    objects = WorkCalendarDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("working-day calendar entry")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class Sequence(models.Model):
    """The last value handed out by one gap-free counter: one row per (scope, year).

    Written only by ``core.sequences.next_value``, which locks the row in the caller's
    transaction, so a rollback gives the value back and two transactions never share one.
    """

    scope = models.CharField(
        _("scope"),
        max_length=100,
        help_text=_('What is counted, e.g. "documents:ORG12" or "petitions:case".'),
    )
    year = models.PositiveIntegerField(_("year"))
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")
        ordering = ["scope", "year"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="core_sequence_scope_year"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.last_value}"


class BackupRecord(models.Model):
    """One backup or restore drill that ran (``core.backup``): its evidence for the ISMS."""

    class Kind(models.TextChoices):
        BACKUP = "backup", _("backup")
        DRILL = "drill", _("restore drill")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    ok = models.BooleanField(_("succeeded"))
    location = models.CharField(_("location"), max_length=500, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("backup record")
        verbose_name_plural = _("backup records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "ok", "at"], name="core_backup_kind_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {'ok' if self.ok else 'FAILED'}"
