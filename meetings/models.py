"""Meetings, the units' material, the meeting book, directives and tracked cases (列管案件).

Rules live in ``services`` (writes, each taking ``actor=``) and ``selectors`` (reads,
``visible_to``); the models hold the data and the database constraints.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import validate_comma_separated_integer_list
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

from .choices import (
    BookJobStatus,
    CaseReminderKind,
    CaseStatus,
    DecisionApproval,
    LateChangeStatus,
    MeetingStatus,
    Proposal,
    ReportStatus,
    SearchKind,
    SeriesKind,
)

USER = settings.AUTH_USER_MODEL


class MeetingSeries(BilingualNameMixin, TimeStampedModel):
    """部務會報, 主管會報, or a kind of ad-hoc meeting, organised by one unit."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SeriesKind.choices)
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organising unit"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    reminder_days = models.CharField(
        _("reminder days before the filing deadline"),
        max_length=40,
        default="3,1,0",
        validators=[validate_comma_separated_integer_list],
        help_text=_("Comma-separated days before the deadline (0: its morning)."),
    )
    closure_needs_approval = models.BooleanField(
        _("closing a case needs approval"),
        default=False,
        help_text=_("The chair's 解除列管 goes through the approval chain meetings.case_close."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["code"]

    def reminder_offsets(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_days.split(",") if x.strip()}, reverse=True)


class Meeting(TimeStampedModel):
    series = models.ForeignKey(
        MeetingSeries, verbose_name=_("series"), related_name="meetings", on_delete=models.PROTECT
    )
    sequence = models.PositiveIntegerField(_("number in the year"))
    year = models.PositiveSmallIntegerField(_("year (ROC)"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        USER,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    secretary = models.ForeignKey(
        USER,
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    attendees = models.ManyToManyField(
        USER, verbose_name=_("attendees"), blank=True, related_name="meetings_attended"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    filing_deadline = models.DateTimeField(_("filing deadline"), null=True, blank=True)
    screen_slide = models.CharField(_("slide on the screen"), max_length=40, blank=True)
    screen_seq = models.PositiveIntegerField(_("screen change counter"), default=0)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="meetings_meeting_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="filing") | Q(filing_deadline__isnull=False),
                name="meetings_filing_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["status", "filing_deadline"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def filing_open(self) -> bool:
        return (
            self.status == MeetingStatus.FILING
            and self.filing_deadline is not None
            and timezone.now() < self.filing_deadline
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="items", on_delete=models.CASCADE
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("presenting unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="meetings_item_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class UnitReport(TimeStampedModel):
    """One unit's material for one meeting: two rich-text sections and a table of figures."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="reports", on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.PROTECT
    )
    order = models.PositiveSmallIntegerField(_("order in the book"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    summary = models.TextField(_("work report"), blank=True)
    issues = models.TextField(_("matters for coordination"), blank=True)
    figures = models.JSONField(_("figures"), default=list, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        USER,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    late_until = models.DateTimeField(
        _("late change allowed until"),
        null=True,
        blank=True,
        help_text=_("Set when the controller grants a late change."),
    )

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        ordering = ["meeting", "order", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="meetings_report_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:report", args=[self.meeting_id, self.unit_id])


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        UnitReport,
        verbose_name=_("report"),
        related_name="attachments",
        on_delete=models.CASCADE,
    )
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(
        USER,
        verbose_name=_("uploaded by"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.name


class LateChangeRequest(models.Model):
    report = models.ForeignKey(
        UnitReport,
        verbose_name=_("report"),
        related_name="late_requests",
        on_delete=models.CASCADE,
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), related_name="+", on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LateChangeStatus.choices,
        default=LateChangeStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("late change request")
        verbose_name_plural = _("late change requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status="pending"),
                name="meetings_one_pending_late_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.get_status_display()})"


class FilingReminder(models.Model):
    """One reminder per meeting, unit and day: a re-run sends nothing twice."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE)
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing reminder")
        verbose_name_plural = _("filing reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit", "day"], name="meetings_filing_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit} · {self.day}"


class MeetingBook(models.Model):
    """The consolidated book (議事資料), numbered per meeting; old versions are kept."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="books", on_delete=models.CASCADE
    )
    version = models.PositiveSmallIntegerField(_("version"))
    html = models.TextField(_("web view"))
    pdf = models.FileField(_("PDF"), upload_to="meetings/books/%Y/")
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    built_by = models.ForeignKey(
        USER, verbose_name=_("built by"), null=True, related_name="+", on_delete=models.SET_NULL
    )
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting book")
        verbose_name_plural = _("meeting books")
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="meetings_book_version")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:book", args=[self.meeting_id, self.version])


class BookJob(models.Model):
    """A requested build of the meeting book, run by a Celery job that records its progress
    (steps done of ``steps``) and, when done, the new numbered ``book``."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="book_jobs", on_delete=models.CASCADE
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), null=True, related_name="+", on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BookJobStatus.choices, default=BookJobStatus.QUEUED
    )
    step = models.PositiveSmallIntegerField(_("steps done"), default=0)
    steps = models.PositiveSmallIntegerField(_("steps"), default=5)
    book = models.ForeignKey(
        MeetingBook,
        verbose_name=_("book"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting book build")
        verbose_name_plural = _("meeting book builds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status__in=["queued", "running"]),
                name="meetings_book_job_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:book_job", args=[self.meeting_id, self.pk])

    @property
    def pending(self) -> bool:
        return self.status in (BookJobStatus.QUEUED, BookJobStatus.RUNNING)


class TrackedCase(TimeStampedModel):
    """A directive (指示事項) under tracking (列管案件), numbered per ROC year."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year (ROC)"))
    serial = models.PositiveIntegerField(_("serial"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting of the directive"),
        related_name="directives",
        on_delete=models.PROTECT,
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        related_name="directives",
        on_delete=models.SET_NULL,
    )
    directive = models.TextField(_("directive"))
    lead_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("lead unit"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    co_units = models.ManyToManyField(
        "core.Organization", verbose_name=_("co-units"), blank=True, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    proposal = models.CharField(
        _("controller's proposal"), max_length=10, choices=Proposal.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("closed at meeting"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("tracked case")
        verbose_name_plural = _("tracked cases")
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="meetings_case_serial"),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.number} {self.directive[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:case", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status != CaseStatus.CLOSED and self.due_date < timezone.localdate()


class CaseProgress(models.Model):
    """辦理情形: what the owner unit reports before a meeting."""

    case = models.ForeignKey(
        TrackedCase, verbose_name=_("case"), related_name="progress", on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "core.Organization", verbose_name=_("unit"), related_name="+", on_delete=models.PROTECT
    )
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        USER, verbose_name=_("author"), null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["case", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.created_at:%Y-%m-%d}"


class CaseDecision(models.Model):
    """The chair's decision on a case at a meeting (close or keep tracking)."""

    case = models.ForeignKey(
        TrackedCase, verbose_name=_("case"), related_name="decisions", on_delete=models.CASCADE
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        related_name="case_decisions",
        on_delete=models.CASCADE,
    )
    proposal = models.CharField(
        _("controller's proposal"), max_length=10, choices=Proposal.choices, blank=True
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Proposal.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    approval = models.CharField(
        _("approval"),
        max_length=10,
        choices=DecisionApproval.choices,
        default=DecisionApproval.NONE,
    )

    class Meta:
        verbose_name = _("case decision")
        verbose_name_plural = _("case decisions")
        ordering = ["case", "decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "meeting"], name="meetings_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_decision_display()}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:case", args=[self.case_id])


class CaseReminder(models.Model):
    """One chasing notice (稽催) per case, kind and day."""

    case = models.ForeignKey(
        TrackedCase, verbose_name=_("case"), related_name="reminders", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CaseReminderKind.choices)
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case reminder")
        verbose_name_plural = _("case reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "day"], name="meetings_case_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.kind} · {self.day}"


class ControllerDigest(models.Model):
    """The weekly digest to controllers, once per week (its Monday)."""

    week = models.DateField(_("week"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("controller digest")
        verbose_name_plural = _("controller digests")

    def __str__(self) -> str:
        return str(self.week)


class PersonalNote(models.Model):
    """A note on an agenda item (or the meeting), visible only to its author."""

    author = models.ForeignKey(
        USER, verbose_name=_("author"), related_name="+", on_delete=models.CASCADE
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="+", on_delete=models.CASCADE
    )
    slide = models.CharField(_("slide"), max_length=40, blank=True)
    text = models.TextField(_("note"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("personal note")
        verbose_name_plural = _("personal notes")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "meeting", "slide"], name="meetings_note_per_slide"
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.meeting} · {self.slide}"


class SearchEntry(models.Model):
    """One searchable text (agenda item, unit material, attachment, directive, progress note),
    written by the services whenever the source changes. ``tokens`` holds the text's English
    words and overlapping CJK bigrams (``search.tokenize``); on PostgreSQL a stored ``vector``
    column generated from it, with a GIN index, answers phrase queries (migration 0004; the
    column is not in the model)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SearchKind.choices)
    source_id = models.PositiveBigIntegerField(_("source id"))
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="+", on_delete=models.CASCADE
    )
    series = models.ForeignKey(
        MeetingSeries, verbose_name=_("series"), related_name="+", on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.CASCADE,
    )
    day = models.DateField(_("meeting date"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    tokens = models.TextField(_("index tokens"))
    url = models.CharField(_("link"), max_length=300)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="meetings_search_source")
        ]
        indexes = [models.Index(fields=["day"]), models.Index(fields=["unit", "day"])]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's iCalendar subscription to the meetings they attend: a secret token in the
    URL (read-only; a calendar program cannot log in). Only the token's SHA-256 is stored, so
    the address is shown once, when it is made; resetting it gives a new address and the old
    one stops working; deleting the row revokes the feed."""

    user = models.OneToOneField(
        USER, verbose_name=_("person"), related_name="meetings_calendar", on_delete=models.CASCADE
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    #: The token itself, known only in the request that made it (``services.calendar``).
    token: str | None = None

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        """The feed's address; only right after the token was made (else there is none)."""
        if not self.token:
            raise ValueError("the feed's token is only known when it is made")
        return reverse("meetings:calendar_feed", args=[self.token])

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
