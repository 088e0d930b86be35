"""Choices of the notifications app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    TODO = "todo", _("To-do")
    ALERT = "alert", _("Alert")


class NoticeState(models.TextChoices):
    UNREAD = "unread", _("Unread")
    READ = "read", _("Read")
    DONE = "done", _("Done")
    EXPIRED = "expired", _("Expired")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting to be sent (due_at may lie in the future)
    SENDING = "sending", _("Sending")  # claimed by a worker (lease until lease_until)
    SENT = "sent", _("Sent")  # handed to the provider
    DELIVERED = "delivered", _("Delivered")  # the provider reported delivery (SMS reports)
    FAILED = "failed", _("Failed")  # permanently failed (after retries, or refused)
    BOUNCED = "bounced", _("Bounced")  # sent, then reported undeliverable
    CANCELLED = "cancelled", _("Cancelled")  # not sent: the notice was closed first


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    RETRY = "retry", _("Temporary error, retried later")
    FAILED = "failed", _("Permanent error")
    DUPLICATE = "duplicate", _("Already accepted by the provider")


#: States after which a delivery is never sent again.
FINAL_STATES = (
    DeliveryState.SENT,
    DeliveryState.DELIVERED,
    DeliveryState.FAILED,
    DeliveryState.BOUNCED,
    DeliveryState.CANCELLED,
)

#: States of a notice that still asks for attention.
OPEN_STATES = (NoticeState.UNREAD, NoticeState.READ)
