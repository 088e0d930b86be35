"""Admin of the platform. Case types, their fields, statuses and transitions are data edited
here without a deploy (with a preview of the intake form). Cases are listed through
``Case.objects.visible_to`` like everywhere else and are read-only: they change through the
services (pages, API, import)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiClient,
    Case,
    CaseAttachment,
    CaseDayCount,
    CaseEvent,
    CaseField,
    CaseOpenCount,
    CaseReminder,
    CaseStatus,
    CaseTransition,
    CaseType,
    DailyFact,
    IndustryDivision,
    IndustrySector,
)
from .querysets import unit_q


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseFieldInline(admin.TabularInline):
    model = CaseField
    extra = 0
    fields = ["sort_order", "code", "label_zh", "label_en", "kind", "required", "choices",
              "max_length", "min_value", "max_value", "help_text"]  # fmt: skip


class CaseStatusInline(admin.TabularInline):
    model = CaseStatus
    extra = 0
    fields = ["sort_order", "code", "name_zh", "name_en", "is_initial", "is_final"]


class CaseTransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    fields = ["sort_order", "from_status", "to_status", "name_zh", "name_en", "actor_role",
              "comment_required", "requires_approval"]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("from_status", "to_status"):
            type_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = CaseStatus.objects.filter(case_type_id=type_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "deadline_days", "deadline_kind", "is_active",
                    "preview"]  # fmt: skip
    list_filter = ["is_active", "deadline_kind"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    inlines = [CaseFieldInline, CaseStatusInline, CaseTransitionInline]

    @admin.display(description=_("intake form"))
    def preview(self, obj):
        if not obj.pk:
            return "-"
        url = reverse("labor_admin:type_preview", args=[obj.code])
        return format_html('<a href="{}">{}</a>', url, _("Preview the intake form"))


@admin.register(IndustrySector)
class IndustrySectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(IndustryDivision)
class IndustryDivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sector"]
    list_filter = ["sector"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["sector"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["application", "unit", "may_write", "active", "created_at"]
    list_filter = ["active", "may_write"]
    search_fields = ["application__name", "application__client_id", "unit__code", "unit__name_zh"]
    list_select_related = ["application", "unit"]
    raw_id_fields = ["application", "unit"]


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["created_at", "message", "from_status", "to_status", "comment", "actor",
              "api_client"]  # fmt: skip
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "case_type", "unit", "county", "status", "received_on", "due_on",
                    "is_open"]  # fmt: skip
    list_filter = ["case_type", "is_open", "county", "source"]
    search_fields = ["number", "subject", "employer_name", "employer_business_id"]
    list_select_related = ["case_type", "unit", "county", "status"]
    date_hierarchy = "received_on"
    inlines = [CaseEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "case", "size", "content_type", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "case__number"]
    list_select_related = ["case", "uploaded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=Case.objects.visible_to(request.user))


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "case", "recipients"]
    list_select_related = ["case"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=Case.objects.visible_to(request.user))


@admin.register(DailyFact)
class DailyFactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit", "county", "case_type", "industry_sector", "status",
                    "received", "closed", "open_cases", "overdue"]  # fmt: skip
    list_filter = ["case_type", "county"]
    list_select_related = ["unit", "county", "case_type", "status"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit_q(request.user))


@admin.register(CaseDayCount)
class CaseDayCountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "unit", "county", "case_type", "received", "closed", "handling_days"]
    list_filter = ["case_type", "county"]
    list_select_related = ["unit", "county", "case_type"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit_q(request.user))


@admin.register(CaseOpenCount)
class CaseOpenCountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "county", "case_type", "open_cases"]
    list_filter = ["case_type", "county"]
    list_select_related = ["unit", "county", "case_type"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit_q(request.user))
