"""Choices of the employee portal's services (room booking first)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly (same date)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class LeaveUnit(models.TextChoices):
    DAY = "day", _("Whole days")
    HALF_DAY = "half_day", _("Half days")
    HOUR = "hour", _("Hours")


class LeaveStatus(models.TextChoices):
    AWAITING_DEPUTY = "deputy", _("Waiting for the deputy")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    DEPUTY_DECLINED = "declined", _("Declined by the deputy")
    CANCELLED = "cancelled", _("Cancelled")


class LoanCategory(models.TextChoices):
    LAPTOP = "laptop", _("Laptop")
    PROJECTOR = "projector", _("Projector")
    CAMERA = "camera", _("Camera")
    OTHER = "other", _("Other equipment")


class LoanStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to collect")
    CHECKED_OUT = "out", _("Lent out")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Parts missing")


class SupplyCategory(models.TextChoices):
    COMPUTER = "computer", _("Computer consumables")
    STATIONERY = "stationery", _("Stationery")
    OTHER = "other", _("Other supplies")


class SupplyStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to issue")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")
