"""Admin of the OpenID Connect part: client registration (applications, with who may use them),
roles and role assignments, and the records of sign-ins and back-channel logouts.
Imported by ``accounts/admin.py``."""

from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..models import (
    Application,
    ApplicationSignIn,
    BackchannelLogoutDelivery,
    Role,
    RoleAssignment,
    SubjectIdentifier,
)
from ..oidc.hashers import MIN_CLIENT_SECRET_LENGTH
from ..oidc.services import application_prepare, role_assign, role_remove


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "name",
            "name_en",
            "description",
            "logo",
            "icon",
            "is_internal",
            "client_id",
            "client_secret",
            "client_type",
            "authorization_grant_type",
            "redirect_uris",
            "post_logout_redirect_uris",
            "backchannel_logout_uri",
            "allowed_origins",
            "allowed_units",
            "allowed_roles",
            "allowed_directory_groups",
            "launch_url",
            "show_in_launcher",
        ]
        help_texts = {
            "client_secret": lazy(
                lambda: (
                    _(
                        "Shown in clear only now: copy it to the application before saving. It is "
                        "stored hashed. To issue a new secret, replace the value with a new random "
                        "one (at least %(length)s characters)."
                    )
                    % {"length": MIN_CLIENT_SECRET_LENGTH}
                ),
                str,
            )(),
            "authorization_grant_type": _(
                "Authorization code: people sign in to the application through the portal. "
                "Client credentials: a system calls the portal's APIs as itself."
            ),
            "client_type": _(
                "Confidential: a server that keeps the secret. Public: a browser or mobile app "
                "(no secret; PKCE protects the code)."
            ),
        }

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret:
            return secret
        try:
            identify_hasher(secret)
        except ValueError:
            if len(secret) < MIN_CLIENT_SECRET_LENGTH:
                raise forms.ValidationError(
                    _("A client secret needs at least %(length)s characters; use a random one.")
                    % {"length": MIN_CLIENT_SECRET_LENGTH}
                ) from None
        return secret


class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = [
        "name",
        "name_en",
        "client_id",
        "client_type",
        "authorization_grant_type",
        "is_internal",
        "show_in_launcher",
        "updated",
    ]
    list_filter = ["client_type", "authorization_grant_type", "is_internal", "show_in_launcher"]
    search_fields = ["name", "name_en", "client_id", "description"]
    filter_horizontal = ["allowed_units", "allowed_roles", "allowed_directory_groups"]
    readonly_fields = ["created", "updated"]
    fieldsets = [
        (
            _("Application"),
            {"fields": ["name", "name_en", "description", "logo", "icon", "is_internal"]},
        ),
        (
            _("OpenID Connect client"),
            {
                "fields": [
                    "client_id",
                    "client_secret",
                    "client_type",
                    "authorization_grant_type",
                    "redirect_uris",
                    "post_logout_redirect_uris",
                    "backchannel_logout_uri",
                    "allowed_origins",
                ]
            },
        ),
        (
            _("Who may use it"),
            {
                "description": _(
                    "Leave all three empty to open the application to every active account. "
                    "Otherwise a person must be in one of the units (or a unit below it), OR "
                    "hold one of the roles, OR be a member of one of the directory groups."
                ),
                "fields": ["allowed_units", "allowed_roles", "allowed_directory_groups"],
            },
        ),
        (_("Launcher"), {"fields": ["launch_url", "show_in_launcher"]}),
        (_("Record"), {"fields": ["created", "updated"]}),
    ]

    def save_model(self, request, obj, form, change):
        application_prepare(application=obj)
        super().save_model(request, obj, form, change)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "role"
    extra = 0
    raw_id_fields = ["user", "scope", "granted_by"]
    readonly_fields = [
        "user",
        "scope",
        "include_subunits",
        "source",
        "granted_by",
        "granted_at",
        "valid_until",
    ]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "application", "is_sensitive"]
    list_filter = ["is_sensitive", "application"]
    search_fields = ["code", "name_zh", "name_en", "application__name"]
    list_select_related = ["application"]
    raw_id_fields = ["application"]
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Every change goes through ``role_assign``/``role_remove``, so it is audited."""

    list_display = [
        "user",
        "role",
        "scope",
        "include_subunits",
        "source",
        "granted_by",
        "granted_at",
        "valid_until",
    ]
    list_filter = ["source", "include_subunits", "role__application", "role"]
    search_fields = ["user__username", "user__employee_number", "user__name_zh", "role__code"]
    list_select_related = ["user", "role", "role__application", "scope", "granted_by"]
    raw_id_fields = ["user", "role", "scope"]
    readonly_fields = ["source", "granted_by", "granted_at"]
    fields = [
        "user",
        "role",
        "scope",
        "include_subunits",
        "valid_until",
        "source",
        "granted_by",
        "granted_at",
    ]

    def save_model(self, request, obj, form, change):
        # A new assignment, or a new end date / sub-unit coverage for an existing one (the only
        # editable fields).
        assignment, _created = role_assign(
            application=obj.role.application,
            user=obj.user,
            role_code=obj.role.code,
            scope=obj.scope,
            valid_until=obj.valid_until,
            include_subunits=obj.include_subunits,
            by=request.user,
        )
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        role_remove(
            application=obj.role.application,
            user=obj.user,
            role_code=obj.role.code,
            scope=obj.scope,
            any_source=True,
            by=request.user,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "user", "role", "scope"]
        return self.readonly_fields


@admin.register(ApplicationSignIn)
class ApplicationSignInAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "application",
        "first_signed_in_at",
        "last_signed_in_at",
        "signed_out_at",
    ]
    list_filter = ["application"]
    search_fields = ["user__username", "user__employee_number", "application__name"]
    list_select_related = ["user", "application"]
    readonly_fields = [f.name for f in ApplicationSignIn._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BackchannelLogoutDelivery)
class BackchannelLogoutDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "application",
        "user",
        "reason",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "reason", "application"]
    search_fields = ["subject", "user__username", "application__name", "uri"]
    list_select_related = ["application", "user"]
    readonly_fields = [f.name for f in BackchannelLogoutDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SubjectIdentifier)
class SubjectIdentifierAdmin(admin.ModelAdmin):
    list_display = ["sub", "user", "created_at"]
    search_fields = ["sub", "user__username", "user__employee_number"]
    list_select_related = ["user"]
    readonly_fields = ["user", "sub", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-oauth-toolkit registers its own admin for the (swapped) application model first.
if admin.site.is_registered(Application):
    admin.site.unregister(Application)
admin.site.register(Application, ApplicationAdmin)
