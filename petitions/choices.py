"""Choices of the citizen mailbox (民意信箱)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PetitionSource(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    PRESIDENT_MAILBOX = "president_mailbox", _("President's mailbox")
    PREMIER_MAILBOX = "premier_mailbox", _("Premier's mailbox")


class PetitionStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", _("Waiting for e-mail confirmation")
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Reply awaiting sign-off")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another case")


#: Statuses in which a case counts as a case (confirmed, numbered).
CONFIRMED_STATUSES = [s for s in PetitionStatus.values if s != PetitionStatus.PENDING_CONFIRMATION]
#: Statuses in which the citizen has the answer.
ANSWERED_STATUSES = [PetitionStatus.ANSWERED, PetitionStatus.CLOSED]
#: Statuses in which staff still work on the case.
OPEN_STATUSES = [
    PetitionStatus.RECEIVED,
    PetitionStatus.ASSIGNED,
    PetitionStatus.IN_PROGRESS,
    PetitionStatus.REPLIED,
]
