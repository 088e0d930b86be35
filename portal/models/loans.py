"""Equipment loans (資訊設備借用): the catalogue of loanable items and the loans.

An item is either **serial** (one physical thing, e.g. laptop NB-07, lent to one person at a
time) or a **quantity** item (a pool of interchangeable things, e.g. 10 HDMI adapters).
A loan holds its dates ``[start, end]`` (whole days, both included) from the moment it is
asked for until it is refused, cancelled or returned.

No over-lending is the database's job on PostgreSQL: migration ``0006_loans_and_supplies``
adds an exclusion constraint over ``daterange(start, end, '[]')`` per serial item for the
loans that hold their dates (``serial`` is copied onto the loan so the constraint can see
it). A quantity item's loans are summed under the item's row lock (``services.loans``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

from ..choices import Condition, LoanCategory, LoanStatus

__all__ = ["Loan", "LoanItem", "LOAN_HOLDING_STATUSES"]

USER = settings.AUTH_USER_MODEL

# Loans that hold their dates (a request waiting for approval holds them too).
LOAN_HOLDING_STATUSES = (LoanStatus.PENDING, LoanStatus.APPROVED, LoanStatus.CHECKED_OUT)


class LoanItem(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.CharField(
        _("category"), max_length=20, choices=LoanCategory.choices, default=LoanCategory.LAPTOP
    )
    serial = models.BooleanField(
        _("serial item"),
        default=True,
        help_text=_("One physical item lent to one person at a time; else a pool of quantity."),
    )
    quantity = models.PositiveIntegerField(
        _("quantity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("How many can be lent at once (1 for a serial item)."),
    )
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    asset_number = models.CharField(
        _("property number"),
        max_length=40,
        blank=True,
        help_text=_("Its number in the asset register (財產編號), when it has one."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    managing_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("managing unit"),
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("Its loan managers check the item out and take it back."),
    )
    max_days = models.PositiveIntegerField(
        _("longest loan (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    is_active = models.BooleanField(_("lendable"), default=True)

    class Meta:
        verbose_name = _("loanable item")
        verbose_name_plural = _("loanable items")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(serial=False) | Q(quantity=1), name="portal_loanitem_serial_is_one"
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("portal:loan_item", args=[self.pk])


class Loan(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    item = models.ForeignKey(
        LoanItem, verbose_name=_("item"), related_name="loans", on_delete=models.PROTECT
    )
    serial = models.BooleanField(_("serial item"), editable=False)
    requester = models.ForeignKey(
        USER, verbose_name=_("requester"), related_name="equipment_loans", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    start = models.DateField(_("from"))
    end = models.DateField(_("until (included)"))
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.PENDING
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        USER,
        verbose_name=_("checked out by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    condition_out = models.CharField(
        _("condition when lent"), max_length=10, choices=Condition.choices, blank=True
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        USER,
        verbose_name=_("taken back by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    condition_in = models.CharField(
        _("condition when returned"), max_length=10, choices=Condition.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    reminded_on = models.DateField(_("last overdue reminder"), null=True, blank=True)
    submit_key = models.UUIDField(
        _("form key"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The key of the form that asked: the same form sent twice asks once."),
    )

    class Meta:
        verbose_name = _("equipment loan")
        verbose_name_plural = _("equipment loans")
        ordering = ["-start", "-pk"]
        indexes = [
            models.Index(fields=["item", "start"], name="portal_loan_item_start"),
            models.Index(fields=["requester", "start"], name="portal_loan_req_start"),
            models.Index(fields=["status", "end"], name="portal_loan_status_end"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "submit_key"], name="portal_loan_submitted_once"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="portal_loan_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="portal_loan_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(serial=False) | Q(quantity=1), name="portal_loan_serial_is_one"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("portal:loan", args=[self.pk])

    @property
    def holds_dates(self) -> bool:
        return self.status in LOAN_HOLDING_STATUSES
