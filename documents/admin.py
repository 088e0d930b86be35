"""Admin of the register. Numbers, chains and the timeline are written by the services only:
the admin shows them read-only, and its actions call the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    Attachment,
    ChainTemplate,
    ChainTemplateStep,
    Delegation,
    Document,
    DocumentSeries,
    SignOffAction,
    SignOffChain,
    SignOffReminder,
    SignOffStep,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(admin.ModelAdmin):
    list_display = ["prefix", "unit", "updated_at"]
    search_fields = ["prefix", "unit__code", "unit__name_zh", "unit__name_en"]
    list_filter = ["unit__kind"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["unit"] if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            services.document_series_set_prefix(series=obj, prefix=obj.prefix)
        else:
            super().save_model(request, obj, form, change)


class ChainTemplateStepInline(admin.TabularInline):
    model = ChainTemplateStep
    extra = 1
    fields = ["order", "kind", "user", "role", "unit", "levels_up"]
    raw_id_fields = ["user", "unit"]


@admin.register(ChainTemplate)
class ChainTemplateAdmin(admin.ModelAdmin):
    """Approval routes are data: who approves what, chosen by purpose and amount."""

    list_display = [
        "code",
        "name_zh",
        "purpose",
        "min_amount",
        "max_amount",
        "registers_document",
        "is_active",
    ]
    list_filter = ["purpose", "registers_document", "is_active"]
    search_fields = ["code", "name_zh", "name_en", "purpose"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ChainTemplateStepInline]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SignOffChainInline(admin.TabularInline):
    model = SignOffChain
    extra = 0
    fields = ["status", "current_order", "started_by", "created_at", "completed_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "unit",
        "category",
        "security_level",
        "status",
        "deadline",
        "created_at",
    ]
    list_filter = ["status", "category", "security_level", "roc_year", "unit"]
    search_fields = ["number", "subject", "sender", "receiver", "external_id"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "registered_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "number",
        "roc_year",
        "serial",
        "unit",
        "status",
        "registered_by",
        "source_content_type",
        "source_object_id",
        "external_system",
        "external_id",
        "created_at",
        "updated_at",
    ]
    fields = [
        "number",
        "unit",
        "subject",
        "sender",
        "receiver",
        "category",
        "security_level",
        "description",
        "deadline",
        "status",
        "registered_by",
        "source_content_type",
        "source_object_id",
        "external_system",
        "external_id",
        "roc_year",
        "serial",
        "created_at",
        "updated_at",
    ]
    inlines = [AttachmentInline, SignOffChainInline]
    actions = ["close_documents"]

    def has_add_permission(self, request):
        # Numbers come only from the register service (staff page or API).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.document_update(document=obj, actor=request.user, **changes)

    @admin.action(description=_("Close the selected documents"))
    def close_documents(self, request, queryset):
        done = 0
        for document in queryset:
            try:
                services.document_close(document=document, closed_by=request.user)
                done += 1
            except services.SignOffError as exc:
                self.message_user(request, f"{document.number}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d document closed.", "%(count)d documents closed.", done)
                % {"count": done},
            )


class SignOffStepInline(admin.TabularInline):
    model = SignOffStep
    extra = 0
    fields = [
        "order",
        "assignee",
        "role_unit",
        "role",
        "status",
        "activated_at",
        "acted_by",
        "on_behalf_of",
        "acted_at",
        "comment",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SignOffChain)
class SignOffChainAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "subject",
        "target_content_type",
        "document",
        "template",
        "status",
        "current_order",
        "started_by",
        "created_at",
    ]
    list_filter = ["status", "target_content_type", "template"]
    search_fields = ["subject", "document__number", "document__subject", "started_by__username"]
    list_select_related = ["document", "started_by", "target_content_type", "template"]
    raw_id_fields = ["document", "started_by"]
    readonly_fields = [
        "target_content_type",
        "target_object_id",
        "document",
        "template",
        "subject",
        "requester_unit",
        "deadline",
        "status",
        "current_order",
        "started_by",
        "completed_at",
        "spec",
        "created_at",
        "updated_at",
    ]
    inlines = [SignOffStepInline]
    actions = ["cancel_chains"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel the selected sign-offs"))
    def cancel_chains(self, request, queryset):
        done = 0
        for chain in queryset:
            try:
                services.signoff_cancel(
                    chain=chain, actor=request.user, reason=str(_("Cancelled by an administrator"))
                )
                done += 1
            except (services.SignOffError, PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"#{chain.pk}: {exc}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d sign-off cancelled.", "%(count)d sign-offs cancelled.", done)
                % {"count": done},
            )


@admin.register(SignOffStep)
class SignOffStepAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "chain", "order", "assignee", "role_unit", "role", "status"]
    list_filter = ["status", "role"]
    search_fields = ["chain__document__number", "assignee__username", "assignee__name_zh"]
    list_select_related = ["chain__document", "assignee", "role_unit", "role"]
    raw_id_fields = ["chain", "assignee", "acted_by", "on_behalf_of", "previous"]


@admin.register(SignOffAction)
class SignOffActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "chain", "kind", "actor", "on_behalf_of", "target"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["chain__document__number", "actor__username", "comment"]
    list_select_related = ["chain__document", "actor", "on_behalf_of", "target"]
    raw_id_fields = ["chain", "step", "actor", "on_behalf_of", "target"]
    date_hierarchy = "created_at"


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["delegator", "delegate", "start_date", "end_date", "reason", "revoked_at"]
    list_filter = ["start_date", "end_date", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "delegator__username",
        "delegator__name_zh",
        "delegate__username",
        "delegate__name_zh",
        "reason",
    ]
    list_select_related = ["delegator", "delegate"]
    raw_id_fields = ["delegator", "delegate", "created_by"]
    readonly_fields = ["created_by", "revoked_at", "created_at", "updated_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = services.delegation_create(
            delegator=obj.delegator,
            delegate=obj.delegate,
            start_date=obj.start_date,
            end_date=obj.end_date,
            reason=obj.reason,
            created_by=request.user,
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected delegations now"))
    def revoke(self, request, queryset):
        for delegation in queryset:
            services.delegation_revoke(delegation=delegation, revoked_by=request.user)
        self.message_user(request, _("The delegations were ended."))


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "document", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "document__number", "sha256"]
    list_select_related = ["document"]
    raw_id_fields = ["document", "uploaded_by"]


@admin.register(SignOffReminder)
class SignOffReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "step", "recipients", "sent_at", "attempts", "last_error"]
    list_filter = ["day", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["step__chain__document__number", "recipients"]
    list_select_related = ["step"]
    raw_id_fields = ["step"]
