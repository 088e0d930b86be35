"""Admin of user accounts, with the actions an administrator takes on them: unlock sign-in,
reset the second factor, sign out everywhere (each calls a service)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..mfa.services import login_lockout_clear, mfa_reset
from ..models import User
from ..services import user_sign_out_everywhere


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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "employee_number",
        "name_zh",
        "name_en",
        "organization",
        "job_title",
        "employment_status",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "employment_status", "organization"]
    search_fields = ["username", "employee_number", "name_zh", "name_en", "email"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Person"),
            {
                "fields": [
                    "employee_number",
                    "name_zh",
                    "name_en",
                    "email",
                    "mobile",
                    "organization",
                    "job_title",
                    "employment_status",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "employee_number",
                    "name_zh",
                    "email",
                    "organization",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = [unlock_login, reset_two_factor, sign_out_everywhere]
