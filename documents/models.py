"""The official-document register (公文) and the sign-off engine every app uses.

* ``DocumentSeries``: one per issuing unit, the characters of its numbers (勞動資).
* Serials: ``core.sequences`` counters per (unit, ROC year), taken while the document is saved.
* ``Document``: the register entry, linked to any source object by a generic relation.
* ``ChainTemplate`` / ``ChainTemplateStep``: named approval routes, configured as data.
* ``SignOffChain`` / ``SignOffStep`` / ``SignOffAction``: the chain approving any object, its
  ordered steps (steps that share an order number are a parallel countersign, 會簽) and the
  timeline.
* ``Delegation``: who may act for whom while on leave.
* ``SignOffReminder``: one row per step and day an overdue reminder was due (idempotency).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.models import BilingualNameMixin, TimeStampedModel

from .choices import (
    OPEN_DOCUMENT_STATUSES,
    ActionKind,
    ChainStatus,
    DocumentCategory,
    DocumentStatus,
    SecurityLevel,
    StepStatus,
    TemplateStepKind,
)
from .constants import SERIAL_DIGITS


class DocumentSeries(TimeStampedModel):
    """The number series of one issuing unit: its prefix characters (字)."""

    unit = models.OneToOneField(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="document_series",
        on_delete=models.PROTECT,
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=20,
        unique=True,
        help_text=_(
            "Characters before 字 in the unit's document numbers, e.g. 勞動資 for "
            "勞動資字第1150000123號. Changing it affects new numbers only."
        ),
    )

    class Meta:
        verbose_name = _("document number series")
        verbose_name_plural = _("document number series")
        ordering = ["unit__sort_order", "unit__code"]
        constraints = [
            models.CheckConstraint(condition=~Q(prefix=""), name="documents_series_prefix_set"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}字 ({self.unit.code})"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one row-level rule, used by views, the API and exports alike.

        * superusers see everything;
        * ordinary (普通) documents of the user's unit and every unit below it;
        * any level: documents of the user's own unit, documents the user registered, and
          documents where the user is or was a signer or may act as one (role or delegate).
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        steps = SignOffStep.objects.filter(
            actor_step_q(user) | Q(acted_by=user) | Q(on_behalf_of=user)
        ).values("chain__document_id")
        rule = Q(registered_by=user) | Q(pk__in=steps)
        if user.organization_id:
            subtree = user.organization.descendant_ids()
            rule |= Q(unit_id=user.organization_id)
            rule |= Q(unit_id__in=subtree, security_level=SecurityLevel.ORDINARY)
        return self.filter(rule)

    def overdue(self, day=None):
        day = day or timezone.localdate()
        return self.filter(deadline__lt=day, status__in=OPEN_DOCUMENT_STATUSES)


class Document(TimeStampedModel):
    """One entry of the register. Numbers are allocated by ``services.document_register``."""

    number = models.CharField(_("document number"), max_length=40, unique=True, editable=False)
    roc_year = models.PositiveSmallIntegerField(_("ROC year"), editable=False)
    serial = models.PositiveIntegerField(_("serial"), editable=False)
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="documents",
        on_delete=models.PROTECT,
        help_text=_("The unit that registered the document and handles it."),
    )
    subject = models.CharField(_("subject"), max_length=500)
    sender = models.CharField(
        _("sender"), max_length=200, blank=True, help_text=_("Who sent the document (來文者).")
    )
    receiver = models.CharField(
        _("receiver"), max_length=200, blank=True, help_text=_("Who it is addressed to (受文者).")
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=DocumentCategory.choices,
        default=DocumentCategory.INCOMING,
    )
    security_level = models.CharField(
        _("security level"),
        max_length=20,
        choices=SecurityLevel.choices,
        default=SecurityLevel.ORDINARY,
    )
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.REGISTERED,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        related_name="registered_documents",
        on_delete=models.SET_NULL,
    )
    source_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("source type"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    source_object_id = models.CharField(_("source id"), max_length=64, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    external_system = models.CharField(
        _("external system"),
        max_length=50,
        blank=True,
        help_text=_("The system that registered the document through the API."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_(
            "The calling system's own reference; registering the same reference twice "
            "returns the first document."
        ),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-roc_year", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["roc_year", "unit", "serial"], name="documents_document_serial_unique"
            ),
            models.UniqueConstraint(
                fields=["external_system", "external_id"],
                condition=~Q(external_id=""),
                name="documents_document_external_unique",
            ),
            models.CheckConstraint(condition=Q(serial__gte=1), name="documents_serial_positive"),
            models.CheckConstraint(
                condition=(
                    Q(source_content_type__isnull=True, source_object_id="")
                    | (Q(source_content_type__isnull=False) & ~Q(source_object_id=""))
                ),
                name="documents_source_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="documents_unit_status_idx"),
            models.Index(fields=["deadline"], name="documents_deadline_idx"),
            models.Index(
                fields=["source_content_type", "source_object_id"], name="documents_source_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"[:200]

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @staticmethod
    def format_number(prefix: str, year: int, serial: int) -> str:
        return f"{prefix}字第{year:03d}{serial:0{SERIAL_DIGITS}d}號"

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < timezone.localdate()
            and self.status in OPEN_DOCUMENT_STATUSES
        )

    @property
    def is_classified(self) -> bool:
        return self.security_level != SecurityLevel.ORDINARY


def attachment_path(instance, filename: str) -> str:
    """Unguessable storage name; the original name is kept in ``original_name``."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = timezone.localdate()
    return f"documents/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        related_name="attachments",
        on_delete=models.CASCADE,
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("documents:attachment", args=[self.document_id, self.pk])


class ChainTemplate(BilingualNameMixin, TimeStampedModel):
    """A named approval route, configured as data: who approves, in which order.

    Apps ask for a template by ``purpose`` (e.g. ``portal.leave``); when several active
    templates share a purpose, the amount (money, days, items: whatever the purpose measures)
    picks the one whose range ``[min_amount, max_amount)`` contains it.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=64,
        db_index=True,
        help_text=_("What the template approves, as the app names it, e.g. portal.leave."),
    )
    description = models.TextField(_("description"), blank=True)
    min_amount = models.DecimalField(
        _("from amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Chosen for amounts from this value (empty: no lower bound)."),
    )
    max_amount = models.DecimalField(
        _("below amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Chosen for amounts below this value (empty: no upper bound)."),
    )
    registers_document = models.BooleanField(
        _("registers an official document"),
        default=False,
        help_text=_("Approvals of this kind get an official document number (字號)."),
    )
    document_category = models.CharField(
        _("document category"),
        max_length=20,
        choices=DocumentCategory.choices,
        default=DocumentCategory.REQUEST,
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("working days to decide"),
        null=True,
        blank=True,
        help_text=_("Overdue reminders start after this many working days (empty: none)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approval chain template")
        verbose_name_plural = _("approval chain templates")
        ordering = ["purpose", "min_amount", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(max_amount__gt=models.F("min_amount")),
                name="documents_template_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def covers(self, amount) -> bool:
        if amount is None:
            return self.min_amount is None
        if self.min_amount is not None and amount < self.min_amount:
            return False
        return self.max_amount is None or amount < self.max_amount


class ChainTemplateStep(models.Model):
    """One step of a template. Steps sharing an order are a parallel countersign (會簽)."""

    template = models.ForeignKey(
        ChainTemplate, verbose_name=_("template"), related_name="steps", on_delete=models.CASCADE
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateStepKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    role = models.ForeignKey(
        "accounts.Role",
        verbose_name=_("role"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_("Empty: the requester's unit."),
    )
    levels_up = models.PositiveSmallIntegerField(
        _("levels up"),
        default=0,
        help_text=_("0: the unit itself; 1: its parent unit; and so on."),
    )

    class Meta:
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")
        ordering = ["template_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__gte=1), name="documents_tstep_order_positive"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=TemplateStepKind.PERSON, user__isnull=False, role__isnull=True)
                    | Q(kind=TemplateStepKind.ROLE, user__isnull=True, role__isnull=False)
                    | Q(kind=TemplateStepKind.UNIT_HEAD, user__isnull=True, role__isnull=True)
                ),
                name="documents_tstep_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_kind_display()}"

    def clean(self):
        errors = {}
        if self.kind == TemplateStepKind.PERSON and not self.user_id:
            errors["user"] = _("Choose the person of this step.")
        if self.kind == TemplateStepKind.ROLE and not self.role_id:
            errors["role"] = _("Choose the role of this step.")
        if self.kind != TemplateStepKind.PERSON and self.user_id:
            errors["user"] = _("Only a person step names a person.")
        if self.kind != TemplateStepKind.ROLE and self.role_id:
            errors["role"] = _("Only a role step names a role.")
        if errors:
            raise ValidationError(errors)


class SignOffChainQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Chains a user may see: superusers all; otherwise those they started, those with a
        step they may take, took or took for someone, and those of documents they may see."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        steps = SignOffStep.objects.filter(
            actor_step_q(user) | Q(acted_by=user) | Q(on_behalf_of=user)
        ).values("chain_id")
        return self.filter(
            Q(started_by=user)
            | Q(pk__in=steps)
            | Q(document__in=Document.objects.visible_to(user).values("pk"))
        )


class SignOffChain(TimeStampedModel):
    """An approval of any object (``target``). A chain registers an official document only when
    its type needs one (``document``); the outcome reaches the target's app through
    ``documents.hooks.signoff_hooks``."""

    target_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("approved object type"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    target_object_id = models.CharField(_("approved object id"), max_length=64)
    target = GenericForeignKey("target_content_type", "target_object_id")
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        null=True,
        blank=True,
        related_name="signoff_chains",
        on_delete=models.CASCADE,
    )
    template = models.ForeignKey(
        ChainTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        related_name="chains",
        on_delete=models.SET_NULL,
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    requester_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("requester's unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ChainStatus.choices,
        default=ChainStatus.IN_PROGRESS,
    )
    current_order = models.PositiveSmallIntegerField(_("current step order"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("originator"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    spec = models.JSONField(
        _("step plan"),
        default=list,
        blank=True,
        help_text=_("The steps as given when the chain started, used to start it again."),
    )

    objects = SignOffChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-off chain")
        verbose_name_plural = _("sign-off chains")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status=ChainStatus.IN_PROGRESS),
                name="documents_one_open_chain_per_document",
            ),
            models.UniqueConstraint(
                fields=["target_content_type", "target_object_id"],
                condition=Q(status=ChainStatus.IN_PROGRESS),
                name="documents_one_open_chain_per_target",
            ),
        ]
        indexes = [
            models.Index(
                fields=["target_content_type", "target_object_id"],
                name="documents_chain_target_idx",
            ),
        ]

    def __str__(self) -> str:
        label = self.document.number if self.document_id else self.subject
        return f"{label} #{self.pk}"

    def get_absolute_url(self) -> str:
        """The document's page for a chain with a document, else the chain's own page."""
        if self.document_id:
            return reverse("documents:detail", args=[self.document_id])
        return reverse("documents:chain", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < timezone.localdate()
            and self.status == ChainStatus.IN_PROGRESS
        )


class SignOffStep(models.Model):
    """One slot of a chain: a person, or a role within a unit (``accounts.authz``). Steps with
    the same ``order`` run in parallel (會簽). Forwarding or re-opening a slot writes a new row and
    leaves the old one as history."""

    chain = models.ForeignKey(
        SignOffChain,
        verbose_name=_("chain"),
        related_name="steps",
        on_delete=models.CASCADE,
    )
    order = models.PositiveSmallIntegerField(_("order"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        related_name="signoff_steps",
        on_delete=models.PROTECT,
    )
    role_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("role unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    role = models.ForeignKey(
        "accounts.Role",
        verbose_name=_("role"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    activated_at = models.DateTimeField(_("pending since"), null=True, blank=True)
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acted by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    comment = models.TextField(_("comment"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        help_text=_("The step this one took over from (forwarded or re-opened)."),
    )

    class Meta:
        verbose_name = _("sign-off step")
        verbose_name_plural = _("sign-off steps")
        ordering = ["chain_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(assignee__isnull=False, role_unit__isnull=True, role__isnull=True)
                    | Q(assignee__isnull=True, role_unit__isnull=False, role__isnull=False)
                ),
                name="documents_step_person_or_role",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="documents_step_order_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "assignee"], name="documents_step_assignee_idx"),
            models.Index(fields=["status", "role_unit", "role"], name="documents_step_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.signer_label}"

    @property
    def signer_label(self) -> str:
        if self.assignee_id:
            return str(self.assignee.display_name)
        return f"{self.role_unit.name} · {self.role}"

    @property
    def is_pending(self) -> bool:
        return self.status == StepStatus.PENDING


class SignOffAction(models.Model):
    """One line of the timeline. Never edited."""

    chain = models.ForeignKey(
        SignOffChain,
        verbose_name=_("chain"),
        related_name="actions",
        on_delete=models.CASCADE,
    )
    step = models.ForeignKey(
        SignOffStep,
        verbose_name=_("step"),
        null=True,
        blank=True,
        related_name="actions",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded to"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sign-off action")
        verbose_name_plural = _("sign-off actions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class DelegationQuerySet(models.QuerySet):
    def active_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(revoked_at__isnull=True, start_date__lte=day, end_date__gte=day)


class Delegation(TimeStampedModel):
    """While ``delegator`` is away (start to end date, inclusive), ``delegate`` may act on
    their sign-off steps; the action is recorded as on behalf of the delegator."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegator"),
        related_name="delegations_given",
        on_delete=models.CASCADE,
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        related_name="delegations_received",
        on_delete=models.CASCADE,
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="documents_delegation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("delegator")),
                name="documents_delegation_not_self",
            ),
        ]
        indexes = [
            models.Index(
                fields=["delegate", "start_date", "end_date"], name="documents_delegate_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.start_date} – {self.end_date})"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.delegator_id and self.delegator_id == self.delegate_id:
            errors["delegate"] = _("You cannot delegate to yourself.")
        if errors:
            raise ValidationError(errors)


class SignOffReminder(models.Model):
    """An overdue reminder due for one step on one day. Inserted once (unique), sent once."""

    step = models.ForeignKey(
        SignOffStep,
        verbose_name=_("step"),
        related_name="reminders",
        on_delete=models.CASCADE,
    )
    day = models.DateField(_("day"))
    recipients = models.TextField(_("recipients"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "day"], name="documents_reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.day}"


# --- Who may act on which steps (read by ``visible_to`` and by ``selectors``) -------------------


@dataclass(frozen=True)
class Principal:
    """Someone whose steps an actor may take: the actor, or a delegator on leave. ``roles``
    maps each portal-wide role the person holds to the unit ids it covers (None: every unit),
    as ``accounts.authz.held_roles`` reads it."""

    user_id: int
    roles: Mapping[str, frozenset[int] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ActorContext:
    user_id: int
    day: date
    own: Principal
    delegators: tuple[Principal, ...] = field(default_factory=tuple)

    @property
    def principals(self) -> tuple[Principal, ...]:
        return (self.own, *self.delegators)


def actor_context(user, *, day: date | None = None, fresh: bool = False) -> ActorContext:
    """The user's own roles in units, and those of everyone who delegated to them today.
    Cached on the user object for the request; services pass ``fresh=True``."""
    day = day or timezone.localdate()
    cached = getattr(user, "_documents_actor", None)
    if not fresh and cached is not None and cached.day == day:
        return cached
    delegators = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=Delegation.objects.active_on(day)
            .filter(delegate_id=user.pk)
            .values("delegator_id"),
        )
        .exclude(pk=user.pk)
        .order_by("pk")
    )
    ctx = ActorContext(
        user_id=user.pk,
        day=day,
        own=Principal(user.pk, authz.held_roles(user, fresh=fresh)),
        delegators=tuple(Principal(d.pk, authz.held_roles(d, fresh=True)) for d in delegators),
    )
    user._documents_actor = ctx
    return ctx


def _principal_q(principal: Principal, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}assignee_id": principal.user_id})
    for code, units in principal.roles.items():
        slot = Q(**{f"{prefix}role__code": code, f"{prefix}role_unit__isnull": False})
        if units is not None:
            slot &= Q(**{f"{prefix}role_unit_id__in": sorted(units)})
        q |= slot
    return q


def actor_step_q(user, *, prefix: str = "") -> Q:
    """Steps the user may take, directly or as a delegate (any status: filter it yourself)."""
    ctx = actor_context(user)
    q = Q()
    for principal in ctx.principals:
        q |= _principal_q(principal, prefix)
    return q
