"""Admin of the citizen mailbox. Personal data is shown only on the change page; lists mask it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import BlockRuleAdmin
from core.masking import mask_email, mask_name

from .models import (
    Attachment,
    BlockRule,
    Category,
    DeadlineExtension,
    InboundMessage,
    InternalNote,
    Petition,
    PetitionReminder,
    ReplyTemplate,
    RoutingRule,
    SatisfactionSurvey,
    StatusEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "active", "sort"]
    list_filter = ["active"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "unit", "working_days", "active"]
    list_filter = ["active"]
    search_fields = ["category__name_zh", "unit__name_zh", "unit__code"]
    list_select_related = ["category", "unit"]
    raw_id_fields = ["unit"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "active"]
    list_filter = ["active", "category"]
    search_fields = ["name", "body"]
    list_select_related = ["category"]


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    extra = 0
    readonly_fields = ["status", "public_note", "actor", "created_at"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = [
        "case_number",
        "subject",
        "masked_name",
        "masked_email",
        "status",
        "source",
        "handling_unit",
        "deadline",
    ]
    list_filter = ["status", "source", "category", "county"]
    search_fields = ["case_number", "subject"]
    list_select_related = ["handling_unit", "category"]
    # The workflow (status, handler, deadline, reply, merge, document) changes only through the
    # staff services, which keep the timeline, the audit trail and the document in step; the
    # admin corrects data (category, county, citizen's details) and reads the rest.
    readonly_fields = [
        "case_number",
        "status",
        "handler",
        "handling_unit",
        "deadline",
        "reply_text",
        "replied_at",
        "merged_into",
        "reject_reason",
        "document",
        "confirmed_at",
        "created_at",
        "updated_at",
        "anonymised_at",
    ]
    inlines = [StatusEventInline]

    def has_add_permission(self, request):
        return False  # cases come from the public form or the mailbox

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return mask_name(obj.citizen_name)

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj):
        return mask_email(obj.citizen_email)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "state", "source", "subject", "petition"]
    list_filter = ["state", "source"]
    search_fields = ["message_id", "subject"]
    list_select_related = ["petition"]
    raw_id_fields = ["petition", "handled_by"]
    readonly_fields = ["message_id", "received_at", "parsed"]
    exclude = ["raw"]


@admin.register(InternalNote)
class InternalNoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "petition", "author"]
    search_fields = ["petition__case_number", "text"]
    list_select_related = ["petition", "author"]
    raw_id_fields = ["petition", "author"]
    list_filter = [("created_at", admin.DateFieldListFilter)]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ["petition", "old_deadline", "new_deadline", "working_days", "created_by"]
    search_fields = ["petition__case_number", "reason"]
    list_select_related = ["petition", "created_by"]
    raw_id_fields = ["petition", "created_by"]
    list_filter = [("new_deadline", admin.DateFieldListFilter)]


@admin.register(PetitionReminder)
class PetitionReminderAdmin(admin.ModelAdmin):
    list_display = ["created_at", "petition", "kind", "deadline"]
    list_filter = ["kind"]
    search_fields = ["petition__case_number"]
    list_select_related = ["petition"]
    raw_id_fields = ["petition"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "content_type", "size", "petition"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "petition__case_number", "sha256"]
    list_select_related = ["petition"]
    raw_id_fields = ["petition"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(admin.ModelAdmin):
    list_display = ["petition", "rating", "created_at"]
    list_filter = ["rating"]
    search_fields = ["petition__case_number"]
    list_select_related = ["petition"]
    raw_id_fields = ["petition"]


admin.site.register(BlockRule, BlockRuleAdmin)
