"""Admin of the e-papers. Every model is here; the admin corrects reference data (newsletters)
and reads the rest: subscriptions, opt-ins, imports, issues, deliveries and bounces change
only through the services (double opt-in, the preferences link, the import, erasure, the
editors' pages, the sender), which keep consent, links and counters consistent.

Subscribers' data is personal: besides Django's model permissions, every e-paper model
needs the role ``epaper.manager`` (superusers hold every role); lists mask the addresses and
only a subscriber's change page shows it in full. Erasure is the managers' page's
(``/epaper/manage/<id>/``), which records it in the audit trail.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.admin import BlockRuleAdmin
from core.masking import mask_email

from .models import (
    BlockRule,
    Bounce,
    ImportBatch,
    Issue,
    IssueAsset,
    IssueDelivery,
    Newsletter,
    OptIn,
    Subscriber,
    Subscription,
)
from .roles import MANAGER


class ManagerOnlyMixin:
    """Django's model permission and the role ``epaper.manager``."""

    def _manager(self, request) -> bool:
        return authz.has_role(request.user, MANAGER)

    def has_module_permission(self, request):
        return self._manager(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manager(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._manager(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._manager(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manager(request) and super().has_delete_permission(request, obj)


class ReadOnlyMixin(ManagerOnlyMixin):
    """Shown, never written through the admin."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BlockRule)
class EpaperBlockRuleAdmin(ManagerOnlyMixin, BlockRuleAdmin):
    pass


@admin.register(Newsletter)
class NewsletterAdmin(ManagerOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "editor_role", "active", "sort_order"]
    list_filter = ["active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["active", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        # A newsletter with subscribers or issues is closed (active off), never deleted.
        if obj is not None and (obj.issues.exists() or obj.subscriptions.exists()):
            return False
        return super().has_delete_permission(request, obj)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = False
    fields = ["newsletter", "state", "source", "requested_at", "confirmed_at", "unsubscribed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["masked_email", "state", "language", "consent_source", "created_at"]
    list_filter = ["state", "language", "consent_source"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "language",
        "state",
        "link_version",
        "hard_bounces",
        "soft_bounces",
        "last_bounce_at",
        "disabled_at",
        "consented_at",
        "consent_ip",
        "consent_source",
        "privacy_version",
        "import_batch",
        "manage_link",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [SubscriptionInline]
    show_full_result_count = False

    @admin.display(description=_("e-mail"), ordering="email")
    def masked_email(self, obj):
        return mask_email(obj.email)

    @admin.display(description=_("export and erasure"))
    def manage_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("epaper:subscriber", args=[obj.pk]),
            _("On the subscriber page"),
        )


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["masked_subscriber", "newsletter", "state", "source", "confirmed_at"]
    list_filter = ["state", "newsletter", "source"]
    search_fields = ["subscriber__email"]
    list_select_related = ["subscriber", "newsletter"]
    show_full_result_count = False

    @admin.display(description=_("subscriber"), ordering="subscriber__email")
    def masked_subscriber(self, obj):
        return mask_email(obj.subscriber.email)


@admin.register(OptIn)
class OptInAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["masked_subscriber", "source", "created_at", "expires_at", "confirmed_at"]
    list_filter = ["source", "privacy_version"]
    search_fields = ["subscriber__email"]
    list_select_related = ["subscriber"]
    # The token hash is left out: it identifies a link and is of no use to a person.
    exclude = ["token_hash"]
    show_full_result_count = False

    @admin.display(description=_("subscriber"), ordering="subscriber__email")
    def masked_subscriber(self, obj):
        return mask_email(obj.subscriber.email)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["source", "file_name", "created_by", "created_at", "rows", "created", "merged"]
    list_select_related = ["created_by"]
    search_fields = ["source", "file_name"]


class IssueAssetInline(admin.TabularInline):
    model = IssueAsset
    extra = 0
    can_delete = False
    fields = ["name", "content_type", "file", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-mostly: issues are written, scheduled and sent on the editors' pages."""

    list_display = [
        "title",
        "newsletter",
        "number",
        "state",
        "scheduled_at",
        "published_at",
        "recipients",
        "sent_count",
        "failed_count",
        "bounced_count",
    ]
    list_filter = ["state", "newsletter"]
    search_fields = ["title"]
    list_select_related = ["newsletter"]
    inlines = [IssueAssetInline]


@admin.register(IssueAsset)
class IssueAssetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "issue", "content_type", "created_at"]
    list_select_related = ["issue"]
    search_fields = ["name", "issue__title"]


@admin.register(IssueDelivery)
class IssueDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["issue", "subscriber_id", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    list_select_related = ["issue"]
    search_fields = ["message_id"]
    raw_id_fields = ["issue", "subscriber"]
    show_full_result_count = False


@admin.register(Bounce)
class BounceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["kind", "status", "issue", "subscriber_id", "received_at"]
    list_filter = ["kind"]
    list_select_related = ["issue"]
    search_fields = ["bounced_message_id", "message_id"]
    raw_id_fields = ["issue", "subscriber"]
