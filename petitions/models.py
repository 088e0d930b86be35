"""The citizen mailbox (民意信箱): cases, their attachments, timeline, survey and block list.

* ``Category``: what a petition is about (bilingual, ordered).
* ``Petition``: one case. A web petition waits for e-mail confirmation without a number; on
  confirmation it gets ``case_number`` (115-000123, from ``core.sequences``) and a query
  code, stored hashed. Who may read or act on it: ``PetitionQuerySet`` (roles in
  ``petitions/roles.py``).
* ``Attachment``: a file checked by content (``documents.validators``).
* ``StatusEvent``: the timeline the citizen sees (public note) and staff act on.
* ``SatisfactionSurvey``: one answer per case.
* ``BlockRule``: block list of e-mail domains, addresses and IP addresses / networks.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.blocklist import BlockRuleBase
from core.models import BilingualNameMixin, TimeStampedModel

from . import roles
from .choices import PetitionSource, PetitionStatus


class Category(BilingualNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("petition category")
        verbose_name_plural = _("petition categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class PetitionQuerySet(models.QuerySet):
    """Who may see and act on a case, one rule per kind of action, built on the roles of
    ``petitions/roles.py`` through ``accounts.authz`` (superusers: every case). The case's own
    handler may always read and act on it. Citizens never use these: they reach one case by
    case number + query code."""

    def confirmed(self):
        return self.exclude(status=PetitionStatus.PENDING_CONFIRMATION)

    def _rule(self, user, role_codes):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        rule = Q(handler=user)
        for code in role_codes:
            rule |= authz.scope_q(user, code, field="handling_unit")
        return self.filter(rule)

    def visible_to(self, user):
        """Cases ``user`` may read: a read role (viewer, handler, supervisor) covering the
        handling unit, or the case's handler."""
        return self._rule(user, roles.READ_ROLES)

    def manageable_by(self, user):
        """Cases ``user`` may note, assign and extend: handler or supervisor of the handling
        unit, or the case's handler."""
        return self._rule(user, roles.MANAGE_ROLES)

    def actionable_by(self, user):
        """Cases ``user`` may reply to, reject and merge: handler of the handling unit, or the
        case's handler. Reading a case (viewer) or supervising it is not enough."""
        return self._rule(user, roles.HANDLE_ROLES)


class Petition(TimeStampedModel):
    case_number = models.CharField(
        _("case number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Given on confirmation: ROC year and serial, e.g. 115-000123."),
    )
    roc_year = models.PositiveSmallIntegerField(
        _("ROC year"), null=True, blank=True, editable=False
    )
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True, editable=False)
    query_code_hash = models.CharField(
        _("query code (hashed)"), max_length=256, blank=True, editable=False
    )
    source = models.CharField(
        _("source"), max_length=30, choices=PetitionSource.choices, default=PetitionSource.WEB
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=PetitionStatus.choices,
        default=PetitionStatus.PENDING_CONFIRMATION,
        db_index=True,
    )
    # The citizen
    citizen_name = models.CharField(_("name"), max_length=100)
    citizen_email = models.EmailField(_("e-mail"), max_length=254, db_index=True)
    citizen_phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The petition
    subject = models.CharField(_("subject"), max_length=200)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        related_name="petitions",
        on_delete=models.PROTECT,
    )
    county = models.ForeignKey(
        "core.County",
        verbose_name=_("county or city"),
        null=True,
        blank=True,
        related_name="petitions",
        on_delete=models.PROTECT,
    )
    body = models.TextField(_("text"))
    consent = models.BooleanField(_("consent to the privacy notice"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    # Confirmation
    confirmation_token_hash = models.CharField(
        _("confirmation token (SHA-256)"), max_length=64, blank=True, db_index=True, editable=False
    )
    confirmation_expires_at = models.DateTimeField(
        _("confirmation link expires at"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    submitter_ip = models.GenericIPAddressField(_("submitter IP address"), null=True, blank=True)
    submission_key = models.CharField(
        _("submission key"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_(
            "SHA-256 of the form's one-time token, the sender and the text: the same form "
            "sent twice makes one case."
        ),
    )
    body_fingerprint = models.TextField(
        _("normalised text"),
        blank=True,
        editable=False,
        help_text=_("Lower-cased text without punctuation or spaces, for duplicate detection."),
    )
    # Handling
    handling_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        related_name="petitions",
        on_delete=models.PROTECT,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        related_name="petitions_handled",
        on_delete=models.SET_NULL,
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("official document"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        help_text=_("The register entry of this case (its source is the case)."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        related_name="merged_cases",
        on_delete=models.PROTECT,
    )
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Satisfaction survey link (random token, SHA-256 in the database)
    survey_token_hash = models.CharField(
        _("survey token (SHA-256)"), max_length=64, blank=True, db_index=True, editable=False
    )

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["citizen_email", "created_at"], name="petitions_email_created"),
            models.Index(fields=["submitter_ip", "created_at"], name="petitions_ip_created"),
            models.Index(fields=["status", "deadline"], name="petitions_status_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=PetitionStatus.PENDING_CONFIRMATION)
                | Q(case_number__isnull=False),
                name="petitions_confirmed_has_number",
            ),
            models.UniqueConstraint(
                fields=["roc_year", "serial"], name="petitions_year_serial_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status=PetitionStatus.MERGED) | Q(merged_into__isnull=False),
                name="petitions_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number or _('(unconfirmed)')} {self.subject}"


def attachment_path(instance, filename: str) -> str:
    """Random stored name; the citizen's name is kept in ``original_name`` only."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"petitions/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    petition = models.ForeignKey(
        Petition,
        verbose_name=_("petition"),
        related_name="attachments",
        on_delete=models.CASCADE,
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("detected content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition attachment")
        verbose_name_plural = _("petition attachments")
        ordering = ["petition_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class StatusEvent(models.Model):
    petition = models.ForeignKey(
        Petition,
        verbose_name=_("petition"),
        related_name="events",
        on_delete=models.CASCADE,
    )
    status = models.CharField(_("status"), max_length=30, choices=PetitionStatus.choices)
    public_note = models.TextField(
        _("note shown to the citizen"), blank=True, help_text=_("Shown on the progress page.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        ordering = ["petition_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.status}"


class SatisfactionSurvey(models.Model):
    petition = models.OneToOneField(
        Petition,
        verbose_name=_("petition"),
        related_name="survey",
        on_delete=models.CASCADE,
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), help_text=_("1 (very dissatisfied) to 5 (very satisfied).")
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="petitions_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.rating}"


class BlockRule(BlockRuleBase):
    """Who may not petition (``core.blocklist``); edited in the admin."""

    class Meta(BlockRuleBase.Meta):
        verbose_name = _("block rule")
        verbose_name_plural = _("block rules")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="petitions_blockrule_unique"),
        ]


# --- Intake and staff side --------------------------------------------------------------------


class InboundState(models.TextChoices):
    CASE_CREATED = "case_created", _("New case created")
    REPLY_ATTACHED = "reply_attached", _("Citizen reply attached to its case")
    BOUNCE = "bounce", _("Bounce recorded")
    UNMATCHED = "unmatched", _("Waiting for manual assignment")
    ASSIGNED = "assigned", _("Assigned by hand")
    FAILED = "failed", _("Could not be read")
    DISCARDED = "discarded", _("Discarded")


class InboundMessage(models.Model):
    """One e-mail read by the intake (IMAP or .eml folder). ``message_id`` is unique, so a
    message becomes at most one case however often the job runs; a message without a
    Message-ID is keyed by ``sha256:<hash of the raw bytes>``."""

    message_id = models.CharField(_("message ID"), max_length=255, unique=True)
    mailbox = models.CharField(_("mailbox"), max_length=200, blank=True)
    raw = models.BinaryField(_("raw message"), blank=True, editable=False)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to_address = models.CharField(_("to"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    source = models.CharField(
        _("source"), max_length=30, choices=PetitionSource.choices, default=PetitionSource.EMAIL
    )
    parsed = models.JSONField(_("parsed headers"), default=dict, blank=True)
    petition = models.ForeignKey(
        Petition,
        verbose_name=_("case"),
        null=True,
        blank=True,
        related_name="inbound_messages",
        on_delete=models.SET_NULL,
    )
    state = models.CharField(
        _("state"), max_length=20, choices=InboundState.choices, default=InboundState.UNMATCHED
    )
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "received_at"], name="petitions_inbound_state")]

    def __str__(self) -> str:
        return f"{self.from_address} {self.subject}"


class RoutingRule(models.Model):
    """Category → handling unit and deadline in working days (editable in the admin)."""

    category = models.OneToOneField(
        Category, verbose_name=_("category"), related_name="routing", on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("handling unit"),
        related_name="petition_routes",
        on_delete=models.PROTECT,
    )
    working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the setting PETITIONS_DEADLINE_WORKING_DAYS."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__sort", "category__code"]

    def __str__(self) -> str:
        return f"{self.category} → {self.unit}"


class ReplyTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        related_name="reply_templates",
        on_delete=models.SET_NULL,
        help_text=_("Empty: offered for every category."),
    )
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InternalNote(models.Model):
    petition = models.ForeignKey(
        Petition, verbose_name=_("case"), related_name="notes", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["petition_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.text[:40]}"


class DeadlineExtension(models.Model):
    petition = models.ForeignKey(
        Petition, verbose_name=_("case"), related_name="extensions", on_delete=models.CASCADE
    )
    old_deadline = models.DateField(_("previous deadline"))
    new_deadline = models.DateField(_("new deadline"))
    working_days = models.PositiveSmallIntegerField(_("extended by (working days)"))
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extended by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["petition_id", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("old_deadline")),
                name="petitions_extension_later",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="petitions_extension_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.old_deadline} → {self.new_deadline}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Before the deadline")
    OVERDUE = "overdue", _("After the deadline")


class PetitionReminder(models.Model):
    """One row per case, kind and deadline: a reminder is sent once."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("case"), related_name="reminders", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField(_("deadline"))
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind", "deadline"], name="petitions_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.deadline}"
