"""Admin of sign-in and security records: client certificates, password history, browser
sessions, quick links and launcher usage."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import ClientCertificate, LauncherUsage, PasswordHistory, QuickLink, UserSession
from ..services import user_session_end


@admin.register(ClientCertificate)
class ClientCertificateAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "serial_number", "not_after", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["subject", "serial_number", "fingerprint_sha256", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "serial_number",
        "issuer",
        "subject",
        "fingerprint_sha256",
        "not_after",
        "registered_at",
        "last_used_at",
    ]


@admin.register(PasswordHistory)
class PasswordHistoryAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__employee_number"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Sign out the selected sessions"), permissions=["change"])
def end_sessions(modeladmin, request, queryset):
    count = sum(
        user_session_end(user=record.user, session_key=record.session_key, by=request.user)
        for record in queryset.filter(ended_at__isnull=True).select_related("user")
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d session signed out.", "%(count)d sessions signed out.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "method",
        "ip_address",
        "created_at",
        "last_seen_at",
        "ended_at",
        "manage_link",
    ]
    list_filter = ["method", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__employee_number", "ip_address"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    actions = [end_sessions]
    readonly_fields = [
        "user",
        "session_key",
        "method",
        "ip_address",
        "user_agent",
        "created_at",
        "last_seen_at",
        "ended_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("sessions and tokens"))
    def manage_link(self, obj):
        url = reverse("accounts:user_sessions", args=[obj.user_id])
        return format_html('<a href="{}">{}</a>', url, _("Manage"))


@admin.register(QuickLink)
class QuickLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "url", "sort_order"]
    search_fields = ["title", "url", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(LauncherUsage)
class LauncherUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "application", "open_count", "last_opened_at"]
    list_filter = ["application"]
    search_fields = ["user__username", "application__name"]
    list_select_related = ["user", "application"]
    raw_id_fields = ["user", "application"]
    readonly_fields = ["open_count", "last_opened_at"]
