from django.db import models
from django.utils.translation import gettext_lazy as _


class LogoutReason(models.TextChoices):
    LOGOUT = "logout", _("Signed out of the portal")
    RP_LOGOUT = "rp_logout", _("Signed out from an application")
    EVERYWHERE = "everywhere", _("Signed out everywhere")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
