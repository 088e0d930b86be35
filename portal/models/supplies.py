"""Consumables and supplies (電腦耗材及物品領用): stores, the catalogue, stock per store and
requests.

Stock never goes below zero: issuing decrements it with a conditional
``UPDATE … SET quantity = quantity - n WHERE quantity >= n`` (``services.supplies``) and the
database refuses a negative quantity (``portal_stock_not_negative``) whatever the path.
A request asks for one item from one store (the catalogue page makes asking for another item
one more click); its issued quantity may be less than asked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

from ..choices import SupplyCategory, SupplyStatus

__all__ = ["Stock", "Store", "SupplyItem", "SupplyRequest"]

USER = settings.AUTH_USER_MODEL


class Store(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    managing_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("managing unit"),
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("Its store keepers issue supplies and get the low-stock alerts."),
    )
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]


class SupplyItem(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=SupplyCategory.choices,
        default=SupplyCategory.COMPUTER,
    )
    unit_label = models.CharField(
        _("counted in"), max_length=20, help_text=_("For example 盒, 支, 包.")
    )
    max_per_request = models.PositiveIntegerField(
        _("most per request"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")
        ordering = ["category", "code"]

    def get_absolute_url(self) -> str:
        return reverse("portal:supplies")


class Stock(TimeStampedModel):
    store = models.ForeignKey(
        Store, verbose_name=_("store"), related_name="stock", on_delete=models.PROTECT
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), related_name="stock", on_delete=models.PROTECT
    )
    quantity = models.IntegerField(_("in stock"), default=0)
    low_threshold = models.PositiveIntegerField(
        _("low-stock threshold"),
        default=5,
        help_text=_("The store keepers are alerted when the stock falls to this or below."),
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["store__code", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="portal_stock_one_per_store"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="portal_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.store}"

    @property
    def is_low(self) -> bool:
        return self.quantity <= self.low_threshold


class SupplyRequest(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    requester = models.ForeignKey(
        USER, verbose_name=_("requester"), related_name="supply_requests", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), related_name="requests", on_delete=models.PROTECT
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), related_name="requests", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField(_("quantity asked"))
    issued_quantity = models.PositiveIntegerField(_("quantity issued"), default=0)
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=SupplyStatus.choices, default=SupplyStatus.PENDING
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    submit_key = models.UUIDField(
        _("form key"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The key of the form that asked: the same form sent twice asks once."),
    )
    issued_by = models.ForeignKey(
        USER,
        verbose_name=_("issued by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "issued_at"], name="portal_supply_status_issued"),
            models.Index(fields=["requester", "created_at"], name="portal_supply_req_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "submit_key"], name="portal_supply_submitted_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="portal_supply_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("portal:supply_request", args=[self.pk])
