"""Leave (差假): leave types with their rules, balances per person per type and year, and
requests.

Every amount is kept in **hours** (a working day is ``constants.LEAVE_DAY_HOURS``); a type's
``unit`` says which amounts a request may have (whole days, half days, whole hours). A request
charges the balances of the years it touches (``charges``: ``{"2026": "8.00"}``) as soon as it
is made, so the hours are held while the deputy and the approvers decide, and are returned when
it is refused, declined, cancelled or amended. ``LeaveBalance`` forbids, in the database, a
balance going below zero for the types that do not allow it (``allow_negative`` is copied onto
the balance so the constraint can see it).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

from ..choices import LeaveStatus, LeaveUnit
from ..constants import LEAVE_DAY_HOURS

__all__ = ["LeaveBalance", "LeaveRequest", "LeaveType"]

USER = settings.AUTH_USER_MODEL
HOURS = {"max_digits": 7, "decimal_places": 2}


class LeaveType(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    unit = models.CharField(
        _("requested in"), max_length=10, choices=LeaveUnit.choices, default=LeaveUnit.DAY
    )
    annual_days = models.DecimalField(
        _("days a year"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("The yearly allowance when no balance is imported (0: only what is granted)."),
    )
    by_seniority = models.BooleanField(
        _("allowance by seniority"),
        default=False,
        help_text=_("Annual leave (特休): the allowance follows the years of service."),
    )
    seniority_days = models.JSONField(
        _("days by years of service"),
        default=list,
        blank=True,
        help_text=_("Pairs [years, days], e.g. [[1, 7], [3, 14], [6, 21], [9, 28], [14, 30]]."),
    )
    carry_over_days = models.DecimalField(
        _("days carried over at most"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("What is left at the end of a year, up to this, goes to the next year."),
    )
    allow_negative = models.BooleanField(
        _("balance may go negative"),
        default=False,
        help_text=_("For leave taken first and counted later (e.g. official leave)."),
    )
    needs_document = models.BooleanField(
        _("needs a document"),
        default=False,
        help_text=_("A certificate (medical, marriage, death...) must be attached."),
    )
    document_after_days = models.PositiveSmallIntegerField(
        _("document from (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_(
            "Empty: “needs a document” decides. A number: a document is needed when the request "
            "covers at least this many working days (e.g. sick leave: 2)."
        ),
    )
    chain_purpose = models.CharField(
        _("approval route purpose"),
        max_length=64,
        default="portal.leave",
        help_text=_(
            "The chain templates of this purpose approve it; the number of days picks one "
            "(e.g. the unit head, then the next level from 3 days)."
        ),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("may be requested"), default=True)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["sort_order", "code"]

    def step_hours(self) -> Decimal:
        return {
            LeaveUnit.DAY: Decimal(LEAVE_DAY_HOURS),
            LeaveUnit.HALF_DAY: Decimal(LEAVE_DAY_HOURS) / 2,
        }.get(self.unit, Decimal("1"))


class LeaveBalance(TimeStampedModel):
    user = models.ForeignKey(
        USER, verbose_name=_("person"), related_name="leave_balances", on_delete=models.PROTECT
    )
    leave_type = models.ForeignKey(
        LeaveType, verbose_name=_("leave type"), related_name="balances", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )
    granted_hours = models.DecimalField(_("granted (hours)"), default=Decimal("0"), **HOURS)
    carried_hours = models.DecimalField(_("carried over (hours)"), default=Decimal("0"), **HOURS)
    used_hours = models.DecimalField(
        _("used or held (hours)"),
        default=Decimal("0"),
        help_text=_("Approved leave and requests still being decided."),
        **HOURS,
    )
    allow_negative = models.BooleanField(_("may go negative"), default=False)

    class Meta:
        verbose_name = _("leave balance")
        verbose_name_plural = _("leave balances")
        ordering = ["-year", "user_id", "leave_type__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "leave_type", "year"], name="portal_leave_balance_unique"
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=True)
                | Q(used_hours__lte=F("granted_hours") + F("carried_hours")),
                name="portal_leave_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(granted_hours__gte=0) & Q(carried_hours__gte=0) & Q(used_hours__gte=0),
                name="portal_leave_balance_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.leave_type} {self.year}"

    @property
    def available_hours(self) -> Decimal:
        return self.granted_hours + self.carried_hours - self.used_hours

    @property
    def available_days(self) -> Decimal:
        return (self.available_hours / LEAVE_DAY_HOURS).quantize(Decimal("0.01"))


class LeaveRequest(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    user = models.ForeignKey(
        USER, verbose_name=_("person"), related_name="leave_requests", on_delete=models.PROTECT
    )
    leave_type = models.ForeignKey(
        LeaveType, verbose_name=_("leave type"), related_name="requests", on_delete=models.PROTECT
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    hours = models.DecimalField(_("hours"), **HOURS)
    charges = models.JSONField(_("hours per year"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    deputy = models.ForeignKey(
        USER,
        verbose_name=_("deputy"),
        related_name="leave_deputising",
        on_delete=models.PROTECT,
    )
    deputy_answered_at = models.DateTimeField(_("deputy answered at"), null=True, blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to="portal/leave/%Y/", blank=True, max_length=200
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LeaveStatus.choices,
        default=LeaveStatus.AWAITING_DEPUTY,
    )
    amends = models.OneToOneField(
        "self",
        verbose_name=_("amends"),
        related_name="amended_by",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-start", "-pk"]
        indexes = [
            models.Index(fields=["user", "start"], name="portal_leave_user_start"),
            models.Index(fields=["status", "start"], name="portal_leave_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="portal_leave_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(deputy=F("user")), name="portal_leave_deputy_not_self"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("portal:leave_request", args=[self.pk])

    @property
    def days(self) -> Decimal:
        return (self.hours / LEAVE_DAY_HOURS).quantize(Decimal("0.01"))

    @property
    def holds_balance(self) -> bool:
        return self.status in (
            LeaveStatus.AWAITING_DEPUTY,
            LeaveStatus.PENDING,
            LeaveStatus.APPROVED,
        )
