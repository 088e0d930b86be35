"""leave in the Django admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import LeaveBalance, LeaveRequest, LeaveType


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "unit",
        "annual_days",
        "by_seniority",
        "carry_over_days",
        "allow_negative",
        "needs_document",
        "document_after_days",
        "is_active",
    )
    list_filter = ("unit", "by_seniority", "allow_negative", "needs_document", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("created_at", "updated_at")


@admin.register(LeaveBalance)
class LeaveBalanceAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "leave_type",
        "year",
        "granted_hours",
        "carried_hours",
        "used_hours",
        "available",
    )
    list_filter = ("year", "leave_type")
    search_fields = ("user__username", "user__name_zh", "user__employee_number")
    list_select_related = ("user", "leave_type")
    raw_id_fields = ("user",)
    readonly_fields = ("used_hours", "created_at", "updated_at")

    @admin.display(description=_("available (hours)"))
    def available(self, obj):
        return obj.available_hours


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "leave_type", "start", "end", "hours", "deputy", "status")
    list_filter = ("status", "leave_type")
    search_fields = ("number", "user__username", "user__name_zh", "reason")
    list_select_related = ("user", "leave_type", "deputy")
    raw_id_fields = ("user", "deputy", "amends")
    date_hierarchy = "start"
    # The state and the hours move only through the services (balances would go wrong).
    readonly_fields = (
        "number",
        "user",
        "leave_type",
        "start",
        "end",
        "hours",
        "charges",
        "deputy",
        "status",
        "amends",
        "deputy_answered_at",
        "decided_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False
