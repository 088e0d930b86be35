from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentCategory(models.TextChoices):
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")
    MEMO = "memo", _("Internal memo")
    PETITION = "petition", _("Petition")
    MEETING = "meeting", _("Meeting")
    PROPERTY = "property", _("Property")
    REQUEST = "request", _("Service request")
    OTHER = "other", _("Other")


class SecurityLevel(models.TextChoices):
    """普通 plus the general official secret (密) and the three national-secret levels."""

    ORDINARY = "ordinary", _("Ordinary")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top_secret", _("Top secret")


class DocumentStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_SIGNOFF = "in_signoff", _("In sign-off")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which a past deadline counts as overdue.
OPEN_DOCUMENT_STATUSES = (
    DocumentStatus.REGISTERED,
    DocumentStatus.IN_SIGNOFF,
    DocumentStatus.RETURNED,
)


class ChainStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    FORWARDED = "forwarded", _("Forwarded")
    SUPERSEDED = "superseded", _("Superseded")
    CANCELLED = "cancelled", _("Cancelled")


#: Step rows that still stand for their slot in the chain (the rest are history).
LIVE_STEP_STATUSES = (StepStatus.WAITING, StepStatus.PENDING, StepStatus.APPROVED)


class ActionKind(models.TextChoices):
    START = "start", _("Submitted for sign-off")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    FORWARD = "forward", _("Forwarded")
    CANCEL = "cancel", _("Cancelled")


class ReturnTarget(models.TextChoices):
    ORIGINATOR = "originator", _("To the originator")
    PREVIOUS = "previous", _("To the previous step")


class SignOffOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class TemplateStepKind(models.TextChoices):
    PERSON = "person", _("A named person")
    ROLE = "role", _("A role in a unit")
    UNIT_HEAD = "unit_head", _("The head of a unit")
