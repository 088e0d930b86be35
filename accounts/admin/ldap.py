"""Admin for directory groups (map them to roles) and the sync state of each directory."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..ldap.config import get_directory
from ..ldap.services import directory_group_roles_apply
from ..ldap.tasks import ldap_sync_directory
from ..models import DirectoryGroup, DirectorySyncState

MEMBERS_SHOWN = 100


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    """Groups are mirrored from the directories; only their role mapping is edited here.
    Saving a changed mapping grants or removes the roles of the group's members at once."""

    list_display = ["name", "directory", "dn", "member_count", "mapped_roles", "synced_at"]
    list_filter = ["directory", "roles"]
    search_fields = ["name", "dn"]
    filter_horizontal = ["roles"]
    fields = ["directory", "name", "dn", "roles", "member_list", "synced_at"]
    readonly_fields = ["directory", "name", "dn", "member_list", "synced_at"]
    ordering = ["directory", "name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=Count("members", distinct=True))
            .prefetch_related("roles")
        )

    def has_add_permission(self, request):
        return False  # groups come from the directories

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    @admin.display(description=_("mapped roles"))
    def mapped_roles(self, obj):
        return ", ".join(str(role) for role in obj.roles.all())

    @admin.display(description=_("members"))
    def member_list(self, obj):
        members = list(obj.members.order_by("username")[: MEMBERS_SHOWN + 1])
        names = ", ".join(str(m) for m in members[:MEMBERS_SHOWN])
        if len(members) > MEMBERS_SHOWN:
            names += " …"
        return names or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        added, removed = directory_group_roles_apply(group=form.instance)
        if added or removed:
            self.message_user(
                request,
                _("Roles of the group's members updated: %(added)d granted, %(removed)d removed.")
                % {"added": added, "removed": removed},
                messages.SUCCESS,
            )


@admin.register(DirectorySyncState)
class DirectorySyncStateAdmin(admin.ModelAdmin):
    list_display = ["directory", "last_synced_at", "last_change_marker", "has_error"]
    search_fields = ["directory"]
    readonly_fields = [
        "directory",
        "last_change_marker",
        "last_synced_at",
        "last_error",
        "outage_alerted_at",
    ]
    actions = ["sync_now", "full_sync_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("error"), boolean=True)
    def has_error(self, obj):
        return bool(obj.last_error)

    def _queue(self, request, queryset, full: bool):
        queued = 0
        for state in queryset:
            if get_directory(state.directory) is None:
                self.message_user(
                    request,
                    _("Directory “%(key)s” is no longer configured.") % {"key": state.directory},
                    messages.WARNING,
                )
                continue
            ldap_sync_directory.delay(state.directory, full=full)
            queued += 1
        if queued:
            self.message_user(
                request,
                ngettext(
                    "Sync of %(count)d directory queued.",
                    "Sync of %(count)d directories queued.",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )

    @admin.action(description=_("Sync changed groups now"), permissions=["change"])
    def sync_now(self, request, queryset):
        self._queue(request, queryset, full=False)

    @admin.action(description=_("Sync all groups now (full)"), permissions=["change"])
    def full_sync_now(self, request, queryset):
        self._queue(request, queryset, full=True)
