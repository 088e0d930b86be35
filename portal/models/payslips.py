"""Payslips (薪資查詢): monthly slips imported from the payroll file, one per person and month.

A ``PayrollImport`` is one accepted file (who, when, how many rows and slips); a ``Payslip``
holds the month's totals (earnings, deductions, net) and its ``PayslipLine`` rows the items.
The database keeps the arithmetic: ``net = earnings − deductions`` and amounts never negative
(check constraints), one slip per person and month (unique). Rules and the import live in
``portal.services.payslips``; who sees what in ``portal.selectors.payslips`` (only the person
their own). The line kinds are here rather than in ``portal.choices``: no other service uses
them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dates import roc_year
from core.models import TimeStampedModel

__all__ = ["PayrollImport", "Payslip", "PayslipLine", "PayslipLineKind"]

USER = settings.AUTH_USER_MODEL


class PayslipLineKind(models.TextChoices):
    EARNING = "earning", _("Earning")
    DEDUCTION = "deduction", _("Deduction")


class PayrollImport(TimeStampedModel):
    """One payroll file accepted whole (a refused file leaves no row)."""

    uploaded_by = models.ForeignKey(
        USER,
        verbose_name=_("uploaded by"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    slips = models.PositiveIntegerField(_("payslips"))
    replaced = models.PositiveIntegerField(
        _("payslips replaced"),
        default=0,
        help_text=_("Slips of the same person and month that the file replaced."),
    )

    class Meta:
        verbose_name = _("payroll import")
        verbose_name_plural = _("payroll imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else ""


class Payslip(TimeStampedModel):
    person = models.ForeignKey(
        USER, verbose_name=_("person"), related_name="payslips", on_delete=models.PROTECT
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid."))
    earnings = models.PositiveIntegerField(_("earnings (NT$)"))
    deductions = models.PositiveIntegerField(_("deductions (NT$)"))
    net = models.IntegerField(_("net pay (NT$)"))
    batch = models.ForeignKey(
        PayrollImport,
        verbose_name=_("payroll import"),
        related_name="payslips",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-month", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="portal_payslip_one_a_month"),
            models.CheckConstraint(
                condition=Q(net=F("earnings") - F("deductions")),
                name="portal_payslip_net_adds_up",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="portal_payslip_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person_id}"

    @property
    def roc_month(self) -> str:
        """The month as on the slip: 「115年3月」."""
        return _("ROC year %(year)s, month %(month)s") % {
            "year": roc_year(self.month),
            "month": self.month.month,
        }

    def get_absolute_url(self) -> str:
        return reverse("portal:payslip", args=[self.pk])


class PayslipLine(models.Model):
    payslip = models.ForeignKey(
        Payslip, verbose_name=_("payslip"), related_name="lines", on_delete=models.CASCADE
    )
    kind = models.CharField(_("type"), max_length=10, choices=PayslipLineKind.choices)
    item = models.CharField(_("item"), max_length=100)
    amount = models.PositiveIntegerField(_("amount (NT$)"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("payslip line")
        verbose_name_plural = _("payslip lines")
        ordering = ["payslip_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["payslip", "kind", "item"], name="portal_payslipline_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"
