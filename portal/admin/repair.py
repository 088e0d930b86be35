"""IT repair and procurement in the Django admin. Teams, categories, SLAs and thresholds are
edited here (the thresholds' checks in ``clean``); tickets and requests are made and changed
through the services and are read-only here."""

from django.contrib import admin

from ..models import (
    ITTeam,
    ProcurementAttachment,
    ProcurementRequest,
    ProcurementThreshold,
    RepairCategory,
    RepairSla,
    Ticket,
    TicketComment,
    TicketScreenshot,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ITTeam)
class ITTeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["members"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(RepairCategory)
class RepairCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "team", "sort_order", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["team"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(RepairSla)
class RepairSlaAdmin(admin.ModelAdmin):
    list_display = ["priority", "resolve_hours"]
    list_filter = ["priority"]
    search_fields = ["priority"]
    readonly_fields = ["created_at", "updated_at"]


class CommentInline(admin.TabularInline):
    model = TicketComment
    extra = 0
    can_delete = False
    readonly_fields = ["author", "body", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class ScreenshotInline(admin.TabularInline):
    model = TicketScreenshot
    extra = 0
    can_delete = False
    readonly_fields = ["name", "content_type", "size", "sha256", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "category",
        "team",
        "priority",
        "status",
        "requester",
        "assignee",
        "due_at",
        "rating",
        "created_at",
    ]
    list_filter = ["status", "priority", "team", "category", "created_at"]
    search_fields = ["number", "requester__username", "requester__name_zh", "location"]
    list_select_related = ["category", "team", "requester", "assignee"]
    raw_id_fields = ["requester", "assignee", "asset", "unit"]
    date_hierarchy = "created_at"
    inlines = [ScreenshotInline, CommentInline]


@admin.register(ProcurementThreshold)
class ProcurementThresholdAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "min_amount", "max_amount", "template", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["template"]
    raw_id_fields = ["template"]
    readonly_fields = ["created_at", "updated_at"]


class AttachmentInline(admin.TabularInline):
    model = ProcurementAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["name", "content_type", "size", "sha256", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcurementRequest)
class ProcurementRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "item",
        "estimated_amount",
        "threshold",
        "status",
        "requester",
        "unit",
        "document",
        "created_at",
    ]
    list_filter = ["status", "threshold", "created_at"]
    search_fields = ["number", "item", "budget_code", "requester__username"]
    list_select_related = ["threshold", "requester", "unit", "document"]
    raw_id_fields = ["requester", "unit", "document", "threshold"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]
