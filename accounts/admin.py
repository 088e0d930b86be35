from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import UnitOfficer, User


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


# --- MFA part: actions on users (unlock sign-in, reset 2FA, sign out everywhere), the admin of
# certificates, password history, sessions, quick links and launcher usage, and the admin
# login routed through the portal's login (lockout + second factor). See accounts/mfa/admin.py.
from django.contrib import admin as _admin  # noqa: E402

from .mfa.admin import install as _install_mfa_admin  # noqa: E402

_install_mfa_admin(_admin.site, UserAdmin)
from .hr import admin as _hr_admin  # noqa: E402,F401
from .ldap import admin as _ldap_admin  # noqa: E402,F401
from .oidc import admin as _oidc_admin  # noqa: E402,F401
