"""Login methods of a person: client certificates and password history."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .user import User


class ClientCertificate(models.Model):
    """A client certificate (e.g. 自然人憑證) a user registered for certificate login."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="certificates", on_delete=models.CASCADE
    )
    serial_number = models.CharField(_("serial number"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=500)
    subject = models.CharField(pgettext_lazy("certificate", "subject"), max_length=500)
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client certificate")
        verbose_name_plural = _("client certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "serial_number"], name="accounts_cert_unique_issuer_serial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial_number})"


class PasswordHistory(models.Model):
    """Previous password hashes, so a user cannot reuse recent passwords."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="password_history", on_delete=models.CASCADE
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
