from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditLogEntry, BackupRecord, County, Organization, Sequence, WorkCalendarDay

admin.site.site_header = _("Ministry of Labor · MOL Portal administration")
admin.site.site_title = _("MOL Portal administration")
admin.site.index_title = _("Administration")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent", "county", "is_active"]
    list_filter = ["kind", "is_active", "county"]
    search_fields = ["code", "name_zh", "name_en", "abbreviation"]
    list_select_related = ["parent", "county"]
    raw_id_fields = ["parent"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["sort_order", "code"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "letter", "name_zh", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "letter", "name_zh", "name_en"]
    ordering = ["sort_order", "code"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the audit trail by hand."""

    list_display = [
        "created_at",
        "actor_repr",
        "action",
        "content_type",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "content_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_repr", "object_repr", "object_id", "message", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]
    readonly_fields = [f.name for f in AuditLogEntry._meta.fields]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackupRecord)
class BackupRecordAdmin(admin.ModelAdmin):
    """Read-only evidence of backups and restore drills (``core.backup``)."""

    list_display = ["at", "kind", "ok", "seconds", "location"]
    list_filter = ["kind", "ok"]
    readonly_fields = ["at", "kind", "ok", "location", "seconds", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days; bulk loading: ``manage.py load_work_calendar``."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday", ("date", admin.DateFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    """Read-only: counters move only through ``core.sequences.next_value``, so numbers keep
    having no gaps and no duplicates."""

    list_display = ["scope", "year", "last_value"]
    list_filter = ["year"]
    search_fields = ["scope"]
    ordering = ["scope", "-year"]
    readonly_fields = ["scope", "year", "last_value"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BlockRuleAdmin(admin.ModelAdmin):
    """Register a concrete list with ``admin.site.register(Model, BlockRuleAdmin)``."""

    list_display = ["kind", "value", "reason", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["value", "reason"]
