"""Admin of meeting tracking. Series and meetings' plain details are edited here; material,
books, cases, decisions, reminders and the search index are written by the services only and
shown read-only (the rules — deadlines, who files, numbering — live in the services)."""

from django.contrib import admin

from .models import (
    AgendaItem,
    BookJob,
    CalendarFeed,
    CaseDecision,
    CaseProgress,
    CaseReminder,
    ControllerDigest,
    FilingReminder,
    LateChangeRequest,
    Meeting,
    MeetingBook,
    MeetingSeries,
    PersonalNote,
    ReportAttachment,
    SearchEntry,
    TrackedCase,
    UnitReport,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "kind",
        "unit",
        "reminder_days",
        "closure_needs_approval",
        "is_active",
    ]
    list_filter = ["kind", "closure_needs_approval", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "unit", "decision"]
    raw_id_fields = ["unit"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "year", "sequence", "starts_at", "status", "filing_deadline"]
    list_filter = ["series", "status", "year"]
    search_fields = ["title", "place"]
    list_select_related = ["series"]
    raw_id_fields = ["chair", "secretary", "created_by"]
    filter_horizontal = ["attendees"]
    readonly_fields = [
        "series",
        "year",
        "sequence",
        "status",
        "filing_deadline",
        "screen_slide",
        "screen_seq",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [AgendaItemInline]

    def has_add_permission(self, request):
        return False  # meetings are numbered by meeting_create (the intranet page)


class AttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["name", "size", "content_type", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnitReport)
class UnitReportAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "unit", "status", "filed_at", "late_until"]
    list_filter = ["status", "meeting__series"]
    search_fields = ["meeting__title", "unit__name_zh", "unit__code"]
    list_select_related = ["meeting", "unit"]
    inlines = [AttachmentInline]


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "report", "size", "content_type", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["name"]
    list_select_related = ["report__meeting", "report__unit"]
    exclude = ["text"]


@admin.register(LateChangeRequest)
class LateChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["report", "requested_by", "status", "decided_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["report__meeting__title", "report__unit__name_zh", "reason"]
    list_select_related = ["report__meeting", "report__unit", "requested_by", "decided_by"]


@admin.register(MeetingBook)
class MeetingBookAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "version", "pages", "built_by", "built_at"]
    search_fields = ["meeting__title"]
    list_filter = ["meeting__series"]
    list_select_related = ["meeting", "built_by"]
    exclude = ["html"]


@admin.register(BookJob)
class BookJobAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "status", "step", "steps", "book", "requested_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["meeting__title"]
    list_select_related = ["meeting", "book__meeting", "requested_by"]


class ProgressInline(admin.TabularInline):
    model = CaseProgress
    extra = 0
    fields = ["created_at", "unit", "author", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrackedCase)
class TrackedCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "lead_unit", "due_date", "status", "proposal", "meeting"]
    list_filter = ["status", "year", "meeting__series"]
    search_fields = ["number", "directive", "lead_unit__name_zh"]
    list_select_related = ["lead_unit", "meeting"]
    inlines = [ProgressInline]


@admin.register(CaseProgress)
class CaseProgressAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "author", "created_at"]
    search_fields = ["case__number", "text"]
    list_filter = ["unit"]
    list_select_related = ["case", "unit", "author"]


@admin.register(CaseDecision)
class CaseDecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "meeting",
        "proposal",
        "decision",
        "approval",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["decision", "approval"]
    search_fields = ["case__number", "meeting__title"]
    list_select_related = ["case", "meeting", "decided_by"]


@admin.register(FilingReminder)
class FilingReminderAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "unit", "day", "sent_at"]
    list_filter = ["day"]
    search_fields = ["meeting__title", "unit__name_zh"]
    list_select_related = ["meeting", "unit"]


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "day", "sent_at"]
    list_filter = ["kind", "day"]
    search_fields = ["case__number"]
    list_select_related = ["case"]


@admin.register(ControllerDigest)
class ControllerDigestAdmin(ReadOnlyAdmin):
    list_display = ["week", "sent_at"]
    search_fields = ["week"]
    list_filter = ["week"]


@admin.register(PersonalNote)
class PersonalNoteAdmin(ReadOnlyAdmin):
    """Notes are private: the admin lists who wrote one where, never the text."""

    list_display = ["author", "meeting", "slide", "updated_at"]
    search_fields = ["author__username", "meeting__title"]
    list_filter = ["meeting__series"]
    list_select_related = ["author", "meeting"]
    exclude = ["text"]


@admin.register(SearchEntry)
class SearchEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "meeting", "unit", "day"]
    list_filter = ["kind", "series"]
    search_fields = ["title"]
    list_select_related = ["meeting", "unit"]
    exclude = ["tokens"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "last_read_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    exclude = ["token_hash"]  # of a credential: not shown
