"""Choices of the property app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Register(models.TextChoices):
    PROPERTY = "property", pgettext_lazy("property register", "Property")
    FUND = "fund", _("Fund property")
    NON_CONSUMABLE = "non_consumable", _("Non-consumables")


class ItemStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("item status", "Awaiting acquisition approval")
    IN_USE = "in_use", pgettext_lazy("item status", "In use")
    TRANSFER_PENDING = "transfer_pending", pgettext_lazy("item status", "Transfer in progress")
    SCRAP_REVIEW = "scrap_review", pgettext_lazy("item status", "Under scrap review")
    SCRAPPED = "scrapped", pgettext_lazy("item status", "Scrapped")
    LOST = "lost", pgettext_lazy("item status", "Lost")
    SOLD = "sold", pgettext_lazy("item status", "Sold")
    TRANSFERRED_OUT = "transferred_out", pgettext_lazy("item status", "Transferred out")


# An item in one of these still belongs to its agency's balance.
HELD_STATUSES = (ItemStatus.IN_USE, ItemStatus.TRANSFER_PENDING, ItemStatus.SCRAP_REVIEW)


class MovementKind(models.TextChoices):
    ACQUISITION = "acquisition", pgettext_lazy("movement", "Acquisition")
    TRANSFER = "transfer", pgettext_lazy("movement", "Transfer")
    HANDOVER = "handover", pgettext_lazy("movement", "Hand-over")
    VALUE_INCREASE = "value_increase", pgettext_lazy("movement", "Value increase")
    VALUE_DECREASE = "value_decrease", pgettext_lazy("movement", "Value decrease")
    SCRAP = "scrap", pgettext_lazy("movement", "Scrap")
    LOSS = "loss", pgettext_lazy("movement", "Loss")
    SALE = "sale", pgettext_lazy("movement", "Sale of scrapped items")


class MovementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("movement status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("movement status", "Awaiting approval")
    AWAITING_ACCEPTANCE = (
        "awaiting_acceptance",
        pgettext_lazy("movement status", "Awaiting the receiver's acceptance"),
    )
    COMPLETED = "completed", pgettext_lazy("movement status", "Completed")
    RETURNED = "returned", pgettext_lazy("movement status", "Returned")
    REFUSED = "refused", pgettext_lazy("movement status", "Refused by the receiver")
    CANCELLED = "cancelled", pgettext_lazy("movement status", "Cancelled")


OPEN_MOVEMENT_STATUSES = (
    MovementStatus.DRAFT,
    MovementStatus.SUBMITTED,
    MovementStatus.AWAITING_ACCEPTANCE,
)


class PostingCategory(models.TextChoices):
    """What a ledger posting counts as in the 增減結存表."""

    ACQUISITION = "acquisition", pgettext_lazy("posting", "Acquisition")
    TRANSFER_IN = "transfer_in", pgettext_lazy("posting", "Transfer in")
    VALUE_INCREASE = "value_increase", pgettext_lazy("posting", "Value increase")
    SCRAP = "scrap", pgettext_lazy("posting", "Scrap")
    LOSS = "loss", pgettext_lazy("posting", "Loss")
    TRANSFER_OUT = "transfer_out", pgettext_lazy("posting", "Transfer out")
    VALUE_DECREASE = "value_decrease", pgettext_lazy("posting", "Value decrease")


INCREASE_CATEGORIES = (
    PostingCategory.ACQUISITION,
    PostingCategory.TRANSFER_IN,
    PostingCategory.VALUE_INCREASE,
)
DECREASE_CATEGORIES = (
    PostingCategory.SCRAP,
    PostingCategory.LOSS,
    PostingCategory.TRANSFER_OUT,
    PostingCategory.VALUE_DECREASE,
)


class DisposalMethod(models.TextChoices):
    SALE = "sale", pgettext_lazy("disposal", "Sale")
    DESTRUCTION = "destruction", pgettext_lazy("disposal", "Destruction")
    DONATION = "donation", pgettext_lazy("disposal", "Donation")
    RECYCLING = "recycling", pgettext_lazy("disposal", "Recycling")
    NONE = "none", pgettext_lazy("disposal", "None (loss)")


class StockTakeResult(models.TextChoices):
    FOUND = "found", pgettext_lazy("stock-take", "Found")
    MISSING = "missing", pgettext_lazy("stock-take", "Missing")
    EXTRA = "extra", pgettext_lazy("stock-take", "Extra (not on this sheet)")


class StockTakeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("stock-take", "Counting")
    CLOSED = "closed", pgettext_lazy("stock-take", "Closed")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("report", "Queued")
    RUNNING = "running", pgettext_lazy("report", "Running")
    DONE = "done", pgettext_lazy("report", "Done")
    FAILED = "failed", pgettext_lazy("report", "Failed")
