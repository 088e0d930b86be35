from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    AlertSent,
    AlertTemplate,
    ApplicationGroup,
    Check,
    CheckResult,
    ContactRule,
    DailyUptime,
    DatabaseSize,
    EscalationStep,
    HourlyUptime,
    Incident,
    IncidentEvent,
    MaintenanceWindow,
    OnCallShift,
    Ping,
    WebhookDelivery,
)
from .services.checks import EDITABLE

RUNTIME = (
    "uuid",
    "state",
    "state_changed_at",
    "failures",
    "successes",
    "last_checked_at",
    "last_ok",
    "last_response_ms",
    "last_message",
    "claimed_until",
    "claim_token",
    "last_ping_at",
    "last_start_at",
    "pings_in_period",
    "tls_expires_at",
)


class EscalationStepInline(admin.StackedInline):
    model = EscalationStep
    extra = 0
    filter_horizontal = ("users",)
    autocomplete_fields = ("units",)


@admin.register(ContactRule)
class ContactRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "hours", "repeat")
    list_filter = ("hours",)
    search_fields = ("name",)
    inlines = [EscalationStepInline]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ("rule", "order", "wait_minutes", "email", "sms", "role", "rota")
    list_filter = ("email", "sms")
    search_fields = ("rule__name", "role", "rota")
    list_select_related = ("rule",)
    raw_id_fields = ("users",)


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("rota", "user", "starts_at", "ends_at")
    list_filter = ("rota",)
    search_fields = ("rota", "user__username", "user__name_zh")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(ApplicationGroup)
class ApplicationGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "unit", "public", "order")
    list_filter = ("public",)
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    filter_horizontal = ("contact_rules",)


class CheckAdminForm(forms.ModelForm):
    """The page's rule for parents: never the check itself nor one that depends on it."""

    class Meta:
        model = Check
        fields = ["slug", "group", "enabled", "depends_on", "contact_rules", *EDITABLE]

    def clean_depends_on(self):
        parents = self.cleaned_data.get("depends_on")
        pk = self.instance.pk
        if pk and parents is not None:
            ids = {p.pk for p in parents}
            if pk in ids or ids & selectors.descendant_ids(pk):
                raise forms.ValidationError(
                    _("A check cannot depend on itself or on a check that depends on it.")
                )
        return parents


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    """Django's model permissions open the admin; changing a check also needs the rule of the
    pages and the API (``selectors.may_operate``/``may_create_in``)."""

    form = CheckAdminForm
    list_display = ("name", "kind", "group", "state", "enabled", "last_checked_at")
    list_filter = ("kind", "state", "enabled", "group")
    search_fields = ("name", "slug", "url", "host")
    list_select_related = ("group",)
    readonly_fields = RUNTIME
    filter_horizontal = ("depends_on", "contact_rules")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or selectors.may_operate(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or selectors.may_operate(request.user, obj))

    def save_model(self, request, obj, form, change):
        if not selectors.may_create_in(request.user, obj.group):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    list_display = ("check_ref", "at", "ok", "response_ms", "status_code", "message")
    list_filter = ("ok",)
    search_fields = ("check_ref__name", "message")
    list_select_related = ("check_ref",)
    raw_id_fields = ("check_ref",)
    date_hierarchy = "at"


@admin.register(DailyUptime)
class DailyUptimeAdmin(admin.ModelAdmin):
    list_display = ("check_ref", "day", "total", "ok", "response_ms_avg")
    search_fields = ("check_ref__name",)
    list_filter = ("day",)
    list_select_related = ("check_ref",)
    raw_id_fields = ("check_ref",)


@admin.register(HourlyUptime)
class HourlyUptimeAdmin(admin.ModelAdmin):
    list_display = ("check_ref", "hour", "total", "ok")
    search_fields = ("check_ref__name",)
    list_filter = ("hour",)
    list_select_related = ("check_ref",)
    raw_id_fields = ("check_ref",)


@admin.register(Ping)
class PingAdmin(admin.ModelAdmin):
    list_display = ("check_ref", "at", "kind", "duration_ms", "remote_addr")
    list_filter = ("kind",)
    search_fields = ("check_ref__name",)
    list_select_related = ("check_ref",)
    raw_id_fields = ("check_ref",)


class IncidentEventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    raw_id_fields = ("actor",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("check_ref", "state", "opened_at", "resolved_at", "acknowledged_by")
    list_filter = ("state", "in_maintenance")
    search_fields = ("check_ref__name", "cause")
    list_select_related = ("check_ref", "acknowledged_by")
    raw_id_fields = ("check_ref", "acknowledged_by", "suppressed_by", "contact_rule")
    inlines = [IncidentEventInline]


@admin.register(IncidentEvent)
class IncidentEventAdmin(admin.ModelAdmin):
    list_display = ("incident", "at", "kind", "text", "actor")
    list_filter = ("kind",)
    search_fields = ("text", "incident__check_ref__name")
    list_select_related = ("incident__check_ref", "actor")
    raw_id_fields = ("incident", "actor")


@admin.register(AlertSent)
class AlertSentAdmin(admin.ModelAdmin):
    list_display = ("incident", "kind", "round", "step_order", "at", "recipients")
    list_filter = ("kind",)
    search_fields = ("incident__check_ref__name",)
    list_select_related = ("incident__check_ref",)
    raw_id_fields = ("incident", "step")


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "ends_at", "repeat", "repeat_until")
    list_filter = ("repeat",)
    search_fields = ("title",)
    filter_horizontal = ("groups",)
    raw_id_fields = ("checks",)


@admin.register(AlertTemplate)
class AlertTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "subject_zh", "subject_en")
    search_fields = ("code", "subject_zh", "subject_en")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("url", "sent_at", "attempts", "last_error")
    list_filter = ("sent_at",)
    search_fields = ("url",)
    raw_id_fields = ("alert",)


@admin.register(DatabaseSize)
class DatabaseSizeAdmin(admin.ModelAdmin):
    list_display = ("day", "server", "database", "bytes")
    list_filter = ("server",)
    search_fields = ("server", "database")
