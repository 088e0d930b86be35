"""Admin of unit heads and deputies."""

from django.contrib import admin

from ..models import UnitOfficer


@admin.register(UnitOfficer)
class UnitOfficerAdmin(admin.ModelAdmin):
    """Heads and deputies of units. Rows from the HR feed are replaced by the next sync; enter
    a head here only for units the feed does not cover."""

    list_display = ["unit", "kind", "user", "sort_order", "source", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = [
        "unit__code",
        "unit__name_zh",
        "unit__name_en",
        "user__username",
        "user__employee_number",
        "user__name_zh",
    ]
    list_select_related = ["unit", "user"]
    raw_id_fields = ["unit", "user"]
    readonly_fields = ["created_at"]
    fields = ["unit", "kind", "user", "sort_order", "source", "created_at"]
    ordering = ["unit__code", "kind", "sort_order"]
