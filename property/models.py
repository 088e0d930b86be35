"""The asset register (財產、基金財產、非消耗品), its movements and the ledger the reports read.

- ``Classification``: the government's 財物標準分類 as data (loaded from CSV), with each code's
  useful life; ``RegisterRule`` decides, as data, which register an acquisition belongs to.
- ``Item``: one asset of one agency, numbered classification code + serial (unique per agency).
- ``Movement`` + ``MovementLine``: every change of an item is a numbered movement approved
  through a chain template; history is never edited (a mistake is corrected by a
  counter-movement, ``corrects``).
- ``Posting``: the ledger written when a movement completes, one row per line and agency
  affected, signed; the 增減結存表 is a sum over it, so it always equals the movements.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, Organization

from .choices import (
    HELD_STATUSES,
    DisposalMethod,
    ItemStatus,
    MovementKind,
    MovementStatus,
    PostingCategory,
    Register,
    ReportStatus,
    StockTakeResult,
    StockTakeStatus,
)
from .constants import CLASSIFICATION_RE

classification_code_validator = RegexValidator(
    CLASSIFICATION_RE,
    _("Enter a code of 7 digits, a hyphen and 2 digits, optionally a letter (5010106-03)."),
)

MONEY = {"max_digits": 14, "decimal_places": 0}


class Classification(BilingualNameMixin):
    """One code of 財物標準分類; the first digit is its class (1 land … 5 miscellaneous)."""

    code = models.CharField(
        _("classification code"),
        max_length=11,
        unique=True,
        validators=[classification_code_validator],
    )
    class_digit = models.CharField(_("class"), max_length=1, editable=False, db_index=True)
    useful_life_years = models.PositiveSmallIntegerField(_("useful life (years)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["code"]

    def save(self, *args, **kwargs):
        self.class_digit = self.code[:1]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegisterRule(models.Model):
    """Which register an acquisition goes to: the first rule (by ``priority``) whose class
    matches decides: cost ≥ ``min_cost`` and life ≥ ``min_life_years`` → ``register_when_met``,
    else ``register_otherwise``. Data, edited in the admin."""

    priority = models.PositiveSmallIntegerField(_("priority"), default=10)
    class_digit = models.CharField(
        _("class"), max_length=1, blank=True, help_text=_("Empty: every class.")
    )
    min_cost = models.DecimalField(_("minimum cost"), default=Decimal(0), **MONEY)
    min_life_years = models.PositiveSmallIntegerField(_("minimum useful life (years)"), default=0)
    register_when_met = models.CharField(
        _("register when met"), max_length=20, choices=Register.choices
    )
    register_otherwise = models.CharField(
        _("register otherwise"), max_length=20, choices=Register.choices
    )

    class Meta:
        verbose_name = _("register rule")
        verbose_name_plural = _("register rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.class_digit or '*'} ≥ {self.min_cost} / {self.min_life_years}"


class ScrapReason(BilingualNameMixin):
    """A reason class for scrap and loss; ``allows_early`` lets an item be scrapped before the
    end of its useful life (disaster, theft, damage beyond repair)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    allows_early = models.BooleanField(_("allows scrapping before the end of useful life"))

    class Meta:
        verbose_name = _("scrap reason class")
        verbose_name_plural = _("scrap reason classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ItemQuerySet(models.QuerySet):
    def held(self):
        """Items still on their agency's balance (in use, being transferred or reviewed)."""
        return self.filter(status__in=HELD_STATUSES)


class Item(models.Model):
    """One asset of one agency. ``value`` is its current book cost (原值: cost plus value
    increases minus decreases); depreciation is computed from it (``depreciation.py``)."""

    agency = models.ForeignKey(
        Organization, verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    classification = models.ForeignKey(
        Classification, verbose_name=_("classification"), on_delete=models.PROTECT
    )
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("property number"), max_length=24)
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=300, blank=True)
    brand_model = models.CharField(_("brand and model"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, default="件")
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    acquired_on = models.DateField(_("acquisition date"))
    cost = models.DecimalField(_("cost"), validators=[MinValueValidator(0)], **MONEY)
    value = models.DecimalField(_("book cost"), default=Decimal(0), **MONEY)
    residual_value = models.DecimalField(
        _("residual value"), default=Decimal(0), validators=[MinValueValidator(0)], **MONEY
    )
    useful_life_months = models.PositiveIntegerField(_("useful life (months)"))
    funding_source = models.CharField(_("funding source"), max_length=100, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        null=True,
        blank=True,
        related_name="property_items",
        on_delete=models.PROTECT,
    )
    user_unit = models.ForeignKey(
        Organization, verbose_name=_("user unit"), related_name="+", on_delete=models.PROTECT
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("property item")
        verbose_name_plural = _("property items")
        ordering = ["agency_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], name="property_item_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(residual_value__lte=models.F("cost")),
                name="property_item_residual_le_cost",
                violation_error_message=_("The residual value cannot exceed the cost."),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "register", "status"], name="property_item_list"),
            # My custody: the page in number order, its count and the totals by register
            # read from the index alone (index-only scans; VACUUM keeps the visibility map).
            models.Index(
                fields=["custodian", "number"],
                include=["status", "register", "quantity", "value"],
                name="property_item_custody_cover",
            ),
            models.Index(fields=["user_unit", "status"], name="property_item_unit"),
            # The list filtered by classification: pages in (agency, number) order, and its
            # exact COUNT(*) with register/status as an index-only scan (no heap reads).
            models.Index(
                fields=["classification", "agency", "number"],
                include=["register", "status"],
                name="property_item_class_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("property:item", args=[self.pk])


class Movement(models.Model):
    """A numbered change of items: approved through the chain template of purpose
    ``property.<kind>``; a transfer to another person, unit or agency then waits for the
    receiver's acceptance before it takes effect."""

    number = models.CharField(_("movement number"), max_length=20, unique=True)
    agency = models.ForeignKey(
        Organization, verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=MovementStatus.choices, default=MovementStatus.DRAFT
    )
    effective_date = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"), blank=True)
    scrap_reason = models.ForeignKey(
        ScrapReason,
        verbose_name=_("reason class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    disposal_method = models.CharField(
        _("disposal method"), max_length=20, choices=DisposalMethod.choices, blank=True
    )
    proceeds = models.DecimalField(_("proceeds"), null=True, blank=True, **MONEY)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    requester_unit = models.ForeignKey(
        Organization,
        verbose_name=_("requesting unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_agency = models.ForeignKey(
        Organization,
        verbose_name=_("receiving agency"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_unit = models.ForeignKey(
        Organization,
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiving custodian"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    to_location = models.CharField(_("new location"), max_length=200, blank=True)
    handover_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("For a hand-over drafted by the HR sync: the person who left or moved."),
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects movement"),
        null=True,
        blank=True,
        related_name="corrections",
        on_delete=models.PROTECT,
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("property movement")
        verbose_name_plural = _("property movements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="property_movement_open"),
            models.Index(fields=["to_custodian", "status"], name="property_movement_incoming"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["handover_from"],
                condition=Q(kind="handover", status="draft"),
                name="property_one_draft_handover_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("property:movement", args=[self.pk])

    @property
    def needs_acceptance(self) -> bool:
        return self.kind in (MovementKind.TRANSFER, MovementKind.HANDOVER)


class MovementLine(models.Model):
    movement = models.ForeignKey(
        Movement, verbose_name=_("movement"), related_name="lines", on_delete=models.CASCADE
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), related_name="movement_lines", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    area = models.DecimalField(_("area (m²)"), max_digits=14, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount"), default=Decimal(0), **MONEY)

    class Meta:
        verbose_name = _("movement line")
        verbose_name_plural = _("movement lines")
        ordering = ["movement_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "item"], name="property_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.movement_id}: {self.item_id}"


def _attachment_path(instance, filename: str) -> str:
    return f"property/attachments/{timezone.now():%Y}/{filename}"


class MovementAttachment(models.Model):
    movement = models.ForeignKey(
        Movement, verbose_name=_("movement"), related_name="attachments", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("movement attachment")
        verbose_name_plural = _("movement attachments")

    def __str__(self) -> str:
        return self.name


class Posting(models.Model):
    """A signed ledger row written when a movement completes; never changed afterwards."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("movement"), related_name="postings", on_delete=models.PROTECT
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), related_name="postings", on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        Organization, verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    class_digit = models.CharField(_("class"), max_length=1)
    category = models.CharField(_("category"), max_length=20, choices=PostingCategory.choices)
    date = models.DateField(_("date"))
    quantity = models.IntegerField(_("quantity"), default=0)
    area = models.DecimalField(_("area (m²)"), max_digits=14, decimal_places=2, default=0)
    value = models.DecimalField(_("value"), **MONEY)

    class Meta:
        verbose_name = _("ledger posting")
        verbose_name_plural = _("ledger postings")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["agency", "register", "date"], name="property_posting_balance"),
            models.Index(fields=["item", "date"], name="property_posting_item"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.category} {self.value}"


class StockTake(models.Model):
    """A count sheet (盤點) for one location of one agency."""

    agency = models.ForeignKey(
        Organization, verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    location = models.CharField(_("location"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=StockTakeStatus.choices, default=StockTakeStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agency} {self.location}"

    def get_absolute_url(self) -> str:
        return reverse("property:stocktake", args=[self.pk])


class StockTakeEntry(models.Model):
    stock_take = models.ForeignKey(
        StockTake, verbose_name=_("stock-take"), related_name="entries", on_delete=models.CASCADE
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT
    )
    result = models.CharField(_("result"), max_length=10, choices=StockTakeResult.choices)
    scanned = models.CharField(_("scanned code"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock-take entry")
        verbose_name_plural = _("stock-take entries")
        ordering = ["stock_take_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stock_take", "item"],
                condition=Q(item__isnull=False),
                name="property_stocktake_item_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stock_take_id}: {self.get_result_display()}"


class FormTemplate(models.Model):
    """The editable text of a movement form (財產增加單, 移動單, 減損單, 報廢單)."""

    kind = models.CharField(
        _("movement kind"), max_length=20, choices=MovementKind.choices, unique=True
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    note = models.TextField(_("note above the signatures"), blank=True)
    signatures = models.CharField(
        _("signature boxes"),
        max_length=300,
        help_text=_("Comma-separated captions, e.g. 經辦人,保管人,單位主管,財產管理人員,機關首長"),
    )

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title_zh

    def signature_list(self) -> list[str]:
        return [s.strip() for s in self.signatures.split(",") if s.strip()]


def _report_path(instance, filename: str) -> str:
    return f"property/reports/{timezone.now():%Y}/{filename}"


class ConsolidationReport(models.Model):
    """The ministry's consolidated 增減結存表, built by a Celery job that reports progress."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    done_agencies = models.PositiveIntegerField(_("agencies done"), default=0)
    total_agencies = models.PositiveIntegerField(_("agencies"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_report_path, blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to=_report_path, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consolidated report")
        verbose_name_plural = _("consolidated reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.date_from}–{self.date_to}"

    def get_absolute_url(self) -> str:
        return reverse("property:consolidation", args=[self.pk])
