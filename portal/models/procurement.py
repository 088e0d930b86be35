"""Procurement tender requests (採購招標申請).

The approval route is chosen by the estimated amount: each ``ProcurementThreshold`` (data,
e.g. small purchase under NT$150,000, up to the public-tender threshold, over NT$10 million)
covers ``[min_amount, max_amount)`` and names the sign-off chain template (``documents``)
that approves requests in its range. Every request registers an official document (公文,
with its 字號) in the requester's unit, so the template must be one that registers documents.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

__all__ = [
    "ProcurementAttachment",
    "ProcurementRequest",
    "ProcurementStatus",
    "ProcurementThreshold",
]

USER = settings.AUTH_USER_MODEL
PURPOSE = "portal.procurement"
MONEY = {"max_digits": 14, "decimal_places": 0}


class ProcurementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Not approved")
    CANCELLED = "cancelled", _("Withdrawn")


class ProcurementThreshold(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    min_amount = models.DecimalField(
        _("from amount (NT$)"), validators=[MinValueValidator(0)], default=0, **MONEY
    )
    max_amount = models.DecimalField(
        _("below amount (NT$)"),
        null=True,
        blank=True,
        help_text=_("Empty: no upper bound."),
        **MONEY,
    )
    template = models.ForeignKey(
        "documents.ChainTemplate",
        verbose_name=_("approval chain template"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procurement threshold")
        verbose_name_plural = _("procurement thresholds")
        ordering = ["min_amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gt=F("min_amount")),
                name="portal_threshold_range",
            )
        ]

    def clean(self):
        template = getattr(self, "template", None) if self.template_id else None
        if template is not None:
            if template.purpose != PURPOSE:
                raise ValidationError(
                    {
                        "template": _("Choose a template whose purpose is %(purpose)s.")
                        % {"purpose": PURPOSE}
                    }
                )
            if not template.registers_document:
                raise ValidationError(
                    {"template": _("Procurement requests register an official document.")}
                )
        if self.is_active and self.min_amount is not None:
            others = ProcurementThreshold.objects.filter(is_active=True).exclude(pk=self.pk)
            upper = self.max_amount
            overlapping = others.filter(
                Q(max_amount__isnull=True) | Q(max_amount__gt=self.min_amount)
            )
            if upper is not None:
                overlapping = overlapping.filter(min_amount__lt=upper)
            if overlapping.exists():
                raise ValidationError(
                    {"min_amount": _("This range overlaps another active threshold.")}
                )

    def covers(self, amount) -> bool:
        return amount >= self.min_amount and (self.max_amount is None or amount < self.max_amount)


class ProcurementRequest(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    requester = models.ForeignKey(
        USER,
        verbose_name=_("requester"),
        related_name="procurement_requests",
        on_delete=models.PROTECT,
    )
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.PROTECT
    )
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    estimated_amount = models.DecimalField(
        _("estimated amount (NT$)"), validators=[MinValueValidator(1)], **MONEY
    )
    budget_code = models.CharField(_("budget code"), max_length=30)
    justification = models.TextField(_("justification"), max_length=5000)
    threshold = models.ForeignKey(
        ProcurementThreshold,
        verbose_name=_("threshold"),
        related_name="requests",
        on_delete=models.PROTECT,
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("official document"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProcurementStatus.choices,
        default=ProcurementStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("procurement request")
        verbose_name_plural = _("procurement requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "created_at"], name="portal_procure_requester"),
            models.Index(fields=["unit", "status"], name="portal_procure_unit_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(estimated_amount__gte=1),
                name="portal_procure_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("portal:procurement_request", args=[self.pk])


class ProcurementAttachment(models.Model):
    request = models.ForeignKey(
        ProcurementRequest,
        verbose_name=_("request"),
        related_name="attachments",
        on_delete=models.CASCADE,
    )
    file = models.FileField(_("file"), upload_to="portal/procurement/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("procurement attachment")
        verbose_name_plural = _("procurement attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
