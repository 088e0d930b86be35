"""Admin of the MFA part: actions on users (unlock, reset 2FA, sign out everywhere), the
models of this part, and the admin login sent through the portal's login (with its second
factor and lockout) instead of Django admin's own form."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import ClientCertificate, LauncherUsage, PasswordHistory, QuickLink, UserSession
from ..services import user_session_end, user_sign_out_everywhere
from .services import login_lockout_clear, mfa_reset

# --- Actions on the User admin (added in accounts/admin.py) -----------------------------------


@admin.action(description=_("Unlock sign-in (clear failed login attempts)"), permissions=["change"])
def unlock_login(modeladmin, request, queryset):
    count = 0
    for user in queryset:
        login_lockout_clear(user=user, by=request.user)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "Sign-in unlocked for %(count)d user.", "Sign-in unlocked for %(count)d users.", count
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Reset two-step verification (the user sets it up again)"),
    permissions=["change"],
)
def reset_two_factor(modeladmin, request, queryset):
    count = 0
    for user in queryset:
        mfa_reset(user=user, by=request.user)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "Two-step verification reset for %(count)d user.",
            "Two-step verification reset for %(count)d users.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Sign out everywhere (end sessions, revoke tokens)"), permissions=["change"]
)
def sign_out_everywhere(modeladmin, request, queryset):
    sessions = tokens = 0
    for user in queryset:
        result = user_sign_out_everywhere(user=user, by=request.user)
        sessions += result["sessions"]
        tokens += result["tokens"]
    modeladmin.message_user(
        request,
        _("Ended %(sessions)d sessions and revoked %(tokens)d tokens.")
        % {"sessions": sessions, "tokens": tokens},
        messages.SUCCESS,
    )


USER_ACTIONS = [unlock_login, reset_two_factor, sign_out_everywhere]


# --- Models of this part --------------------------------------------------------------------


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


# --- The admin login goes through the portal's login ----------------------------------------


@login_not_required
def admin_login(request, extra_context=None):
    """Replaces ``admin.site.login``: administrators sign in on the portal's login page (with
    lockout and the required second factor) and come back to the admin. A signed-in user who
    is not staff gets 403 instead of a login loop."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login")
    )


def install(site: admin.AdminSite, user_admin_class) -> None:
    """Called once from accounts/admin.py."""
    user_admin_class.actions = [*(user_admin_class.actions or []), *USER_ACTIONS]
    site.login = admin_login
