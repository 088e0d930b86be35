"""Equipment loans and supplies in the Django admin. The catalogue, stores and stock are
edited here; loans and supply requests are made and moved through the services (no
over-lending, stock never below zero) and are read-only here. A staff user who is not a
superuser sees the loans and requests the selectors show them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Loan, LoanItem, Stock, Store, SupplyItem, SupplyRequest
from ..selectors import loans as loan_selectors
from ..selectors import supplies as supply_selectors

AUDIT = ["created_at", "updated_at"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanItem)
class LoanItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "category",
        "serial",
        "quantity",
        "managing_unit",
        "max_days",
        "is_active",
    ]
    list_filter = ["category", "serial", "is_active", "managing_unit"]
    search_fields = ["code", "name_zh", "name_en", "serial_number", "asset_number"]
    list_select_related = ["managing_unit"]
    raw_id_fields = ["managing_unit"]
    readonly_fields = AUDIT


@admin.register(Loan)
class LoanAdmin(_ReadOnly):
    list_display = ["number", "item", "requester", "unit", "quantity", "start", "end", "status"]
    list_filter = ["status", "item__category", "start"]
    search_fields = [
        "number",
        "item__code",
        "item__name_zh",
        "requester__username",
        "requester__name_zh",
    ]
    list_select_related = ["item", "requester", "unit"]
    raw_id_fields = ["item", "requester", "unit", "checked_out_by", "returned_by"]
    readonly_fields = AUDIT
    date_hierarchy = "start"

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return loan_selectors.loans_visible_to(request.user)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "location", "managing_unit", "is_active"]
    list_filter = ["is_active", "managing_unit"]
    search_fields = ["code", "name_zh", "name_en", "location"]
    raw_id_fields = ["managing_unit"]
    readonly_fields = AUDIT


@admin.register(SupplyItem)
class SupplyItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "category", "unit_label", "max_per_request", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = AUDIT


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["item", "store", "quantity", "low_threshold", "low"]
    list_filter = ["store", "item__category"]
    search_fields = ["item__code", "item__name_zh", "store__code"]
    list_select_related = ["item", "store"]
    raw_id_fields = ["item", "store"]
    readonly_fields = AUDIT

    @admin.display(boolean=True, description=_("low"))
    def low(self, obj):
        return obj.is_low


@admin.register(SupplyRequest)
class SupplyRequestAdmin(_ReadOnly):
    list_display = [
        "number",
        "item",
        "store",
        "requester",
        "unit",
        "quantity",
        "issued_quantity",
        "status",
        "created_at",
    ]
    list_filter = ["status", "store", "item__category", "created_at"]
    search_fields = [
        "number",
        "item__code",
        "item__name_zh",
        "requester__username",
        "requester__name_zh",
    ]
    list_select_related = ["item", "store", "requester", "unit"]
    raw_id_fields = ["item", "store", "requester", "unit", "issued_by"]
    readonly_fields = AUDIT
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return supply_selectors.requests_visible_to(request.user)
