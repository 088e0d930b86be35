"""Admin of the notifications app: templates with a preview, the inbox rows, the delivery log
(searchable by address, Message-ID, provider id), preferences, feed tokens and API senders."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .choices import DeliveryState
from .models import (
    ApiClient,
    ApiMessage,
    Delivery,
    DeliveryAttachment,
    DeliveryAttempt,
    FeedToken,
    MessageTemplate,
    Notice,
    Preference,
)
from .services.rendering import template_preview


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "language", "kind", "title", "updated_at"]
    list_filter = ["language", "kind"]
    search_fields = ["code", "title", "body"]
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["code", "language", "kind"]}),
        (_("Text"), {"fields": ["title", "body", "body_html"]}),
        (_("Preview"), {"fields": ["sample_context", "preview"]}),
    ]

    @admin.display(description=_("preview with the sample data (after saving)"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return _("Save the template to see it rendered.")
        try:
            rendered = template_preview(template=obj)
        except Exception as exc:  # noqa: BLE001 - a template error is shown, not raised
            return format_html('<p class="errornote">{}</p>', str(exc))
        return format_html(
            "<p><strong>{}</strong></p>{}<hr><div>{}</div>",
            rendered.title,
            format_html(linebreaks(rendered.body)),
            format_html(rendered.html),
        )


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "state", "source", "created_at"]
    list_filter = ["kind", "state", "priority", "source"]
    search_fields = ["title", "recipient__username", "recipient__employee_number", "source"]
    raw_id_fields = ["recipient", "api_message"]
    readonly_fields = ["created_at", "read_at", "done_at", "target_type", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "finished_at", "outcome", "provider_id", "error"]

    def has_add_permission(self, request, obj=None):
        return False


class DeliveryAttachmentInline(admin.TabularInline):
    """The files of a mail: names and sizes only (the file itself is not served here)."""

    model = DeliveryAttachment
    extra = 0
    can_delete = False
    fields = ["filename", "content_type", "size"]
    readonly_fields = ["filename", "content_type", "size"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log. "Send again" puts failed or bounced rows back in the queue (same
    Message-ID, so a mail client shows one message)."""

    list_display = ["to", "channel", "kind", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "state", "kind"]
    search_fields = ["to", "message_id", "provider_id", "subject", "kind"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttachmentInline, DeliveryAttemptInline]
    raw_id_fields = ["notice", "fallback_of"]
    actions = ["send_again"]
    readonly_fields = [
        "message_id",
        "has_attachments",
        "state",
        "attempts",
        "claim_token",
        "lease_until",
        "provider_id",
        "provider_status",
        "last_error",
        "created_at",
        "sent_at",
        "delivered_at",
        "bounced_at",
        "bounce_reason",
        "source_type",
        "source_id",
    ]

    def has_add_permission(self, request):
        return False  # rows come from outbox_email/outbox_sms

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        count = queryset.filter(
            Q(state=DeliveryState.FAILED) | Q(state=DeliveryState.BOUNCED)
        ).update(state=DeliveryState.PENDING, due_at=timezone.now(), lease_until=None)
        messages.success(
            request,
            ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", count)
            % {"n": count},
        )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["delivery", "number", "outcome", "started_at", "provider_id"]
    list_filter = ["outcome"]
    search_fields = ["delivery__to", "delivery__message_id", "provider_id", "error"]
    raw_id_fields = ["delivery"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "quiet_hours", "daily_digest", "updated_at"]
    list_filter = ["language", "quiet_hours", "daily_digest"]
    search_fields = ["user__username", "user__employee_number"]
    raw_id_fields = ["user"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["checksum", "prefix", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made by the person on their page (the token is shown once)

    @admin.action(description=_("Revoke"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(n)s token(s) revoked.") % {"n": count})


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["source", "application", "active", "allow_alerts", "rate_per_minute"]
    list_filter = ["active", "allow_alerts"]
    search_fields = ["source", "application__name", "application__client_id"]


@admin.register(ApiMessage)
class ApiMessageAdmin(admin.ModelAdmin):
    list_display = ["message_id", "client", "kind", "recipient_count", "created_at"]
    list_filter = ["kind", "client"]
    search_fields = ["message_id"]
    readonly_fields = ["client", "message_id", "kind", "payload", "recipient_count", "created_at"]

    def has_add_permission(self, request):
        return False
