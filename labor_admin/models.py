"""Case types as data (fields, statuses, transitions, deadlines), the cases of every local
labour unit, their timeline and attachments, the API clients bound to one unit and the daily
facts the decision app reads."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.i18n import bilingual
from core.models import BilingualNameMixin, TimeStampedModel

from .choices import ActorRole, CaseSource, DeadlineKind, FieldKind
from .querysets import ApiClientLike, CaseQuerySet


class IndustrySector(BilingualNameMixin, models.Model):
    """A sector (門) of Taiwan's standard industrial classification, A to S."""

    code = models.CharField(_("code"), max_length=1, unique=True)

    class Meta:
        verbose_name = _("industry sector")
        verbose_name_plural = _("industry sectors")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryDivision(BilingualNameMixin, models.Model):
    """A division (大類, two digits) of the classification, under its sector."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    sector = models.ForeignKey(
        IndustrySector,
        verbose_name=_("sector"),
        related_name="divisions",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("industry division")
        verbose_name_plural = _("industry divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CaseType(BilingualNameMixin, TimeStampedModel):
    """One case subsystem (勞資爭議調解, 勞動檢查, ...), defined as data."""

    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("Short code, e.g. MED.")
    )
    description = models.TextField(_("description"), blank=True)
    deadline_days = models.PositiveIntegerField(_("statutory handling deadline (days)"), default=30)
    deadline_kind = models.CharField(
        _("deadline counted in"),
        max_length=10,
        choices=DeadlineKind.choices,
        default=DeadlineKind.CALENDAR,
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def initial_status(self) -> CaseStatus | None:
        """The initial status (from the prefetched statuses when there are)."""
        return next((s for s in self.statuses.all() if s.is_initial), None)


class CaseStatus(models.Model):
    """A status of one case type; ``is_final`` statuses close the case."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="statuses", on_delete=models.CASCADE
    )
    code = models.SlugField(_("code"), max_length=30)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    is_initial = models.BooleanField(_("initial status"), default=False)
    is_final = models.BooleanField(_("closes the case"), default=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("case status")
        verbose_name_plural = _("case statuses")
        ordering = ["case_type", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="labor_status_code"),
            models.UniqueConstraint(
                fields=["case_type"],
                condition=Q(is_initial=True),
                name="labor_status_one_initial",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class CaseTransition(models.Model):
    """An allowed move from one status to another, and who may make it at that status."""

    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("case type"),
        related_name="transitions",
        on_delete=models.CASCADE,
    )
    from_status = models.ForeignKey(
        CaseStatus,
        verbose_name=_("from status"),
        related_name="transitions_out",
        on_delete=models.CASCADE,
    )
    to_status = models.ForeignKey(
        CaseStatus,
        verbose_name=_("to status"),
        related_name="transitions_in",
        on_delete=models.CASCADE,
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    actor_role = models.CharField(
        _("who may act"),
        max_length=40,
        choices=ActorRole.choices,
        default=ActorRole.CLERK,
        help_text=_("The role, held in the case's unit, that may make this transition."),
    )
    comment_required = models.BooleanField(_("comment required"), default=False)
    requires_approval = models.BooleanField(
        _("needs sign-off"),
        default=False,
        help_text=_(
            "The move waits for the approval chain of purpose labor_admin.transition "
            "(configured under approval chain templates)."
        ),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["case_type", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_status", "to_status"], name="labor_transition_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="labor_transition_moves"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    def clean(self):
        for field in ("from_status", "to_status"):
            status = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if status is not None and status.case_type_id != self.case_type_id:
                raise ValidationError({field: _("The status belongs to another case type.")})


class CaseField(models.Model):
    """One type-specific field of the intake form (stored in ``Case.data[code]``)."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="fields", on_delete=models.CASCADE
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Key in the case's data, e.g. meeting_date.")
    )
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("For a choice field: one per line, code|中文|English."),
    )
    max_length = models.PositiveIntegerField(_("maximum length"), default=200)
    min_value = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("case field")
        verbose_name_plural = _("case fields")
        ordering = ["case_type", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="labor_field_code"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return bilingual(self.label_zh, self.label_en)

    def choice_list(self) -> list[tuple[str, str]]:
        """``[(code, label in the active language), ...]`` from ``choices``."""
        items = []
        for line in self.choices.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts or not parts[0]:
                continue
            zh = parts[1] if len(parts) > 1 else parts[0]
            en = parts[2] if len(parts) > 2 else ""
            items.append((parts[0], bilingual(zh, en)))
        return items

    def clean(self):
        if self.kind == FieldKind.CHOICE and not self.choice_list():
            raise ValidationError({"choices": _("A choice field needs at least one choice.")})


class ApiClient(ApiClientLike, models.Model):
    """An application (SSO client) of a county system, bound to exactly one unit: it reads and
    writes that unit's cases and no other."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("application"),
        related_name="labor_admin_client",
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    may_write = models.BooleanField(_("may create and change cases"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case API client")
        verbose_name_plural = _("case API clients")

    def __str__(self) -> str:
        return f"{self.application} → {self.unit}"


class Case(TimeStampedModel):
    """One case of one unit."""

    number = models.CharField(_("case number"), max_length=40, unique=True, editable=False)
    year = models.PositiveIntegerField(_("year (ROC)"), editable=False)
    serial = models.PositiveIntegerField(_("serial"), editable=False)
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="cases", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.PROTECT
    )
    county = models.ForeignKey(
        "core.County", verbose_name=_("county/city"), related_name="+", on_delete=models.PROTECT
    )
    received_on = models.DateField(_("received on"))
    subject = models.CharField(_("subject"), max_length=200)
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=40, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    employer_business_id = models.CharField(
        _("employer's business ID"), max_length=8, blank=True, db_index=True
    )
    industry = models.ForeignKey(
        IndustryDivision,
        verbose_name=_("industry"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    industry_sector = models.CharField(
        _("industry sector"), max_length=1, blank=True, editable=False
    )
    data = models.JSONField(_("type-specific fields"), default=dict, blank=True)
    status = models.ForeignKey(
        CaseStatus, verbose_name=_("status"), related_name="+", on_delete=models.PROTECT
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    due_on = models.DateField(_("due on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    handling_days = models.PositiveIntegerField(
        _("handling days"), null=True, blank=True, editable=False
    )
    outcome = models.TextField(_("outcome"), blank=True)
    amount = models.DecimalField(
        _("amount (NT$)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("E.g. the amount of a mediation settlement."),
    )
    pending_transition = models.ForeignKey(
        CaseTransition,
        verbose_name=_("transition waiting for sign-off"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        editable=False,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=CaseSource.choices, default=CaseSource.PAGE
    )
    external_id = models.CharField(_("reference in the calling system"), max_length=100, blank=True)
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("created by API client"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        editable=False,
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "serial"], name="labor_case_serial"),
            models.UniqueConstraint(
                fields=["api_client", "external_id"],
                condition=~Q(external_id=""),
                name="labor_case_external_once",
            ),
            models.CheckConstraint(
                condition=Q(is_open=True, closed_on__isnull=True)
                | Q(is_open=False, closed_on__isnull=False),
                name="labor_case_closed_has_date",
            ),
        ]
        indexes = [
            # A unit's list, newest first (the id breaks ties, so the LIMIT needs no sort).
            models.Index(fields=["unit", "-received_on", "-id"], name="labor_case_unit_recv2"),
            # A unit's list filtered by type (and open/closed): the page and its COUNT are
            # index scans over that unit's cases of that type only.
            models.Index(
                fields=["unit", "case_type", "is_open", "-received_on", "-id"],
                name="labor_case_unit_type",
            ),
            models.Index(fields=["received_on", "case_type", "county"], name="labor_case_recv"),
            models.Index(fields=["closed_on", "case_type", "county"], name="labor_case_closed"),
            models.Index(
                fields=["due_on", "case_type", "county"],
                condition=Q(is_open=True),
                name="labor_case_open_due",
            ),
            models.Index(fields=["handler", "is_open"], name="labor_case_handler"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("labor_admin:detail", args=[self.pk])


class CaseEvent(models.Model):
    """One line of a case's timeline: created, a transition, an edit, an attachment."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), related_name="events", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    from_status = models.ForeignKey(
        CaseStatus,
        verbose_name=_("from status"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_status = models.ForeignKey(
        CaseStatus,
        verbose_name=_("to status"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    transition = models.ForeignKey(
        CaseTransition,
        verbose_name=_("transition"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    message = models.CharField(_("what happened"), max_length=200)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("by API client"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "created_at", "pk"]

    def __str__(self) -> str:
        return self.message


def _attachment_path(instance, filename):
    return f"labor_admin/{instance.case_id}/{filename}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), related_name="attachments", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("labor_admin:attachment", args=[self.case_id, self.pk])


class DailyFact(models.Model):
    """The daily aggregation the decision app reads: for one day, the cases of one unit,
    county, type, industry sector and (end-of-day) status. Rebuilt per day, idempotently."""

    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE
    )
    county = models.ForeignKey(
        "core.County", verbose_name=_("county/city"), related_name="+", on_delete=models.CASCADE
    )
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="+", on_delete=models.CASCADE
    )
    industry_sector = models.CharField(_("industry sector"), max_length=1, blank=True)
    status = models.ForeignKey(
        CaseStatus, verbose_name=_("status"), related_name="+", on_delete=models.CASCADE
    )
    received = models.PositiveIntegerField(_("received that day"), default=0)
    closed = models.PositiveIntegerField(_("closed that day"), default=0)
    open_cases = models.PositiveIntegerField(_("open at the end of the day"), default=0)
    overdue = models.PositiveIntegerField(_("overdue at the end of the day"), default=0)
    handling_days = models.PositiveBigIntegerField(
        _("handling days of the cases closed that day"), default=0
    )

    class Meta:
        verbose_name = _("daily case fact")
        verbose_name_plural = _("daily case facts")
        ordering = ["-day", "unit", "case_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "county", "case_type", "industry_sector", "status"],
                name="labor_fact_grain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.case_type_id} {self.status_id}"


class CaseReminder(models.Model):
    """One overdue reminder per case and day (unique), so a re-run never reminds twice."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), related_name="reminders", on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    recipients = models.PositiveIntegerField(_("people reminded"), default=0)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-day", "case"]
        constraints = [
            models.UniqueConstraint(fields=["case", "day"], name="labor_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.day}"


class CaseDayCount(models.Model):
    """Counters of one day × unit × county × type, kept in the transaction of every intake,
    edit and transition (``services.counters``), so the board sums a few thousand rows
    instead of counting millions of cases: ``received`` (cases received that day),
    ``closed`` and ``handling_days`` (cases whose ``closed_on`` is that day, and the sum of
    their handling days). Exact by construction; ``manage.py rebuild_labor_counters``
    recomputes them from the cases."""

    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE
    )
    county = models.ForeignKey(
        "core.County", verbose_name=_("county/city"), related_name="+", on_delete=models.CASCADE
    )
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="+", on_delete=models.CASCADE
    )
    received = models.IntegerField(_("received"), default=0)
    closed = models.IntegerField(_("closed"), default=0)
    handling_days = models.BigIntegerField(_("handling days of the closed cases"), default=0)

    class Meta:
        verbose_name = _("daily case counter")
        verbose_name_plural = _("daily case counters")
        ordering = ["-day", "unit", "case_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "county", "case_type"], name="labor_daycount_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.county_id} {self.case_type_id}"


class CaseOpenCount(models.Model):
    """The open cases of one unit × county × type, kept with ``CaseDayCount``."""

    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE
    )
    county = models.ForeignKey(
        "core.County", verbose_name=_("county/city"), related_name="+", on_delete=models.CASCADE
    )
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), related_name="+", on_delete=models.CASCADE
    )
    open_cases = models.IntegerField(_("open"), default=0)

    class Meta:
        verbose_name = _("open case counter")
        verbose_name_plural = _("open case counters")
        ordering = ["unit", "case_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "county", "case_type"], name="labor_opencount_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.county_id} {self.case_type_id}"
