from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..models import HRSyncRun


@admin.register(HRSyncRun)
class HRSyncRunAdmin(admin.ModelAdmin):
    """Runs are a record: read-only, never added or deleted by hand."""

    list_display = [
        "started_at",
        "status",
        "source",
        "created_count",
        "updated_count",
        "moved_count",
        "deactivated_count",
        "error_count",
        "forced",
    ]
    list_filter = ["status", "forced", "started_at"]
    search_fields = ["source", "message", "feed_digest"]
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    fields = [
        "started_at",
        "finished_at",
        "source",
        "status",
        "forced",
        "message",
        "created_count",
        "updated_count",
        "moved_count",
        "deactivated_count",
        "unchanged_count",
        "skipped_count",
        "error_count",
        "row_errors",
        "feed_digest",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("row errors"))
    def row_errors(self, obj):
        if not obj.errors:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.get("line") or "-",
                    e.get("employee_number") or "",
                    e.get("field"),
                    e.get("reason"),
                )
                for e in obj.errors
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("line"),
            _("employee number"),
            _("field"),
            _("reason"),
            rows,
        )
