"""Payslips in the Django admin: read-only (slips come only from the payroll import, which
checks every row); opening a slip here is audited like on the portal."""

from django.contrib import admin

from core.choices import AuditAction
from core.services import audit_record

from ..models import PayrollImport, Payslip, PayslipLine


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PayslipLineInline(admin.TabularInline):
    model = PayslipLine
    extra = 0
    can_delete = False
    fields = ["position", "kind", "item", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payslip)
class PayslipAdmin(_ReadOnly):
    list_display = ["month", "person", "earnings", "deductions", "net", "batch"]
    list_filter = ["month", "batch"]
    search_fields = ["person__username", "person__employee_number", "person__name_zh"]
    list_select_related = ["person", "batch"]
    raw_id_fields = ["person", "batch"]
    date_hierarchy = "month"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PayslipLineInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        payslip = Payslip.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if payslip is not None:
            audit_record(
                action=AuditAction.VIEW,
                obj=payslip,
                actor=request.user,
                message="payslips: admin view",
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PayslipLine)
class PayslipLineAdmin(_ReadOnly):
    list_display = ["payslip", "kind", "item", "amount"]
    list_filter = ["kind"]
    search_fields = ["item", "payslip__person__employee_number"]
    list_select_related = ["payslip", "payslip__person"]
    raw_id_fields = ["payslip"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayrollImport)
class PayrollImportAdmin(_ReadOnly):
    list_display = ["created_at", "filename", "uploaded_by", "rows", "slips", "replaced"]
    list_filter = ["created_at"]
    search_fields = ["filename", "uploaded_by__username"]
    list_select_related = ["uploaded_by"]
    raw_id_fields = ["uploaded_by"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False
