"""Admin of the property app. The register and its history are written by the services only:
items, movements, lines, postings and stock-take entries are read-only here, and each list
shows only what the signed-in administrator may see (``selectors.items_visible_to``), so the
admin is no way around the agency scope. Reference data (classifications, register rules,
reason classes, form templates) is edited here."""

from django.contrib import admin

from . import selectors
from .models import (
    Classification,
    ConsolidationReport,
    FormTemplate,
    Item,
    Movement,
    MovementAttachment,
    MovementLine,
    Posting,
    RegisterRule,
    ScrapReason,
    StockTake,
    StockTakeEntry,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "class_digit", "useful_life_years", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_filter = ["class_digit", "is_active"]


@admin.register(RegisterRule)
class RegisterRuleAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "class_digit",
        "min_cost",
        "min_life_years",
        "register_when_met",
        "register_otherwise",
    ]
    list_filter = ["register_when_met"]
    search_fields = ["class_digit"]


@admin.register(ScrapReason)
class ScrapReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "allows_early"]
    search_fields = ["code", "name_zh", "name_en"]
    list_filter = ["allows_early"]


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "title_zh", "title_en", "signatures"]
    search_fields = ["title_zh", "title_en"]
    list_filter = ["kind"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "agency",
        "register",
        "status",
        "custodian",
        "user_unit",
        "value",
    ]
    search_fields = ["number", "name", "custodian__username", "custodian__name_zh"]
    list_filter = ["register", "status", "agency", "classification__class_digit"]
    list_select_related = ["agency", "custodian", "user_unit"]
    raw_id_fields = ["custodian", "user_unit", "agency", "classification"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.item_scope_q(request.user))


class MovementLineInline(admin.TabularInline):
    model = MovementLine
    extra = 0
    raw_id_fields = ["item"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "status", "agency", "effective_date", "requested_by"]
    search_fields = ["number", "reason"]
    list_filter = ["kind", "status", "agency"]
    list_select_related = ["agency", "requested_by"]
    raw_id_fields = ["requested_by", "to_custodian", "handover_from", "accepted_by", "corrects"]
    inlines = [MovementLineInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=selectors.movements_visible_to(request.user).values("pk"))
        )


@admin.register(MovementLine)
class MovementLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["movement", "item", "quantity", "area", "amount"]
    search_fields = ["movement__number", "item__number"]
    list_filter = ["movement__kind"]
    list_select_related = ["movement", "item"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.item_scope_q(request.user, "item__"))


@admin.register(MovementAttachment)
class MovementAttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "movement", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "movement__number"]
    list_filter = ["content_type"]
    list_select_related = ["movement", "uploaded_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(movement__in=selectors.movements_visible_to(request.user).values("pk"))
        )


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["date", "category", "agency", "item", "quantity", "area", "value"]
    search_fields = ["item__number", "movement__number"]
    list_filter = ["category", "register", "agency"]
    list_select_related = ["agency", "item"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.item_scope_q(request.user, "item__"))


class StockTakeEntryInline(admin.TabularInline):
    model = StockTakeEntry
    extra = 0
    raw_id_fields = ["item", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StockTake)
class StockTakeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["location", "agency", "status", "created_by", "created_at"]
    search_fields = ["location"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "created_by"]
    inlines = [StockTakeEntryInline]

    def get_queryset(self, request):
        agencies = selectors.officer_agency_ids(request.user)
        return super().get_queryset(request).filter(agency_id__in=sorted(agencies))


@admin.register(ConsolidationReport)
class ConsolidationReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "register",
        "date_from",
        "date_to",
        "status",
        "done_agencies",
        "total_agencies",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "register"]
    search_fields = ["requested_by__username"]
    list_select_related = ["requested_by"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if selectors.is_consolidator(request.user) else qs.none()
