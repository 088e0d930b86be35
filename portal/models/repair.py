"""IT repair tickets (電腦報修).

An IT team (``ITTeam``) is a queue with its members; each category (``RepairCategory``) sends
its tickets to one team. The due time of a ticket comes from the SLA of its priority
(``RepairSla``, in working hours: ``portal.sla``). The asset is an item of ``property`` that the
requester holds, picked through ``portal.assets`` (the seam); its number and name are copied
onto the ticket so the ticket still reads right after the item moves. Screenshots are stored
through the storage API and served only by an authorised view.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin, TimeStampedModel

__all__ = [
    "ITTeam",
    "RepairCategory",
    "RepairSla",
    "Ticket",
    "TicketComment",
    "TicketPriority",
    "TicketScreenshot",
    "TicketStatus",
]

USER = settings.AUTH_USER_MODEL


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS)


class ITTeam(BilingualNameMixin, TimeStampedModel):
    """A queue of tickets and the people who work it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    members = models.ManyToManyField(
        USER, verbose_name=_("members"), related_name="it_teams", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("IT team")
        verbose_name_plural = _("IT teams")
        ordering = ["code"]


class RepairCategory(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    team = models.ForeignKey(
        ITTeam, verbose_name=_("team"), related_name="categories", on_delete=models.PROTECT
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("repair category")
        verbose_name_plural = _("repair categories")
        ordering = ["sort_order", "code"]


class RepairSla(TimeStampedModel):
    """How long a ticket of a priority may take, in working hours."""

    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, unique=True
    )
    resolve_hours = models.PositiveIntegerField(
        _("working hours to resolve"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )

    class Meta:
        verbose_name = _("repair SLA")
        verbose_name_plural = _("repair SLAs")
        ordering = ["resolve_hours"]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.resolve_hours}"


class Ticket(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    requester = models.ForeignKey(
        USER, verbose_name=_("requester"), related_name="repair_tickets", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("unit"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    category = models.ForeignKey(
        RepairCategory, verbose_name=_("category"), related_name="+", on_delete=models.PROTECT
    )
    team = models.ForeignKey(
        ITTeam, verbose_name=_("team"), related_name="tickets", on_delete=models.PROTECT
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assigned to"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    asset = models.ForeignKey(
        "property.Item",
        verbose_name=_("asset"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    asset_label = models.CharField(_("asset"), max_length=250, blank=True)
    location = models.CharField(_("location"), max_length=200)
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default="normal"
    )
    description = models.TextField(_("description"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    due_at = models.DateTimeField(_("due"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("comment on the service"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("repair ticket")
        verbose_name_plural = _("repair tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "status"], name="portal_ticket_team_status"),
            models.Index(fields=["requester", "created_at"], name="portal_ticket_requester"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="portal_ticket_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status=TicketStatus.CLOSED),
                name="portal_ticket_rated_only_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("portal:repair_ticket", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sla_met(self) -> bool | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at <= self.due_at


class TicketComment(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), related_name="comments", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        USER, verbose_name=_("author"), related_name="+", on_delete=models.PROTECT
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class TicketScreenshot(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), related_name="screenshots", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to="portal/repair/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
