"""Models of the OpenID Connect part: subject identifiers, sign-ins at applications and
back-channel logout deliveries."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..oidc.choices import DeliveryStatus, LogoutReason


class SubjectIdentifier(models.Model):
    """The ``sub`` claim of a person: a random UUID, made once and never changed.

    Not the database id (guessable, and it leaks the number of accounts) and not a hash of it
    (it would change with the key). Kept when the account is deactivated.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        related_name="oidc_subject",
        on_delete=models.CASCADE,
    )
    sub = models.UUIDField(_("subject identifier"), unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subject identifier")
        verbose_name_plural = _("subject identifiers")

    def __str__(self) -> str:
        return str(self.sub)


class ApplicationSignIn(models.Model):
    """A person signed in to an application (an ID token was issued to it for them).

    Tells the back-channel logout whom to notify. Signed in while ``signed_out_at`` is empty.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="application_sign_ins",
        on_delete=models.CASCADE,
    )
    application = models.ForeignKey(
        "accounts.Application",
        verbose_name=_("application"),
        related_name="sign_ins",
        on_delete=models.CASCADE,
    )
    first_signed_in_at = models.DateTimeField(_("first signed in at"), default=timezone.now)
    last_signed_in_at = models.DateTimeField(_("last signed in at"), default=timezone.now)
    signed_out_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(
        _("IP address"),
        null=True,
        blank=True,
        help_text=_("Of the browser that last signed in to the application."),
    )
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    issuer = models.CharField(
        _("issuer"),
        max_length=200,
        blank=True,
        help_text=_(
            "The iss of the ID token the application holds; its logout token says the same."
        ),
    )

    class Meta:
        verbose_name = _("application sign-in")
        verbose_name_plural = _("application sign-ins")
        ordering = ["-last_signed_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"], name="accounts_signin_unique_user_app"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.application}"


class BackchannelLogoutDelivery(models.Model):
    """One logout token sent (or to be sent) to one application's back-channel logout URL."""

    application = models.ForeignKey(
        "accounts.Application",
        verbose_name=_("application"),
        related_name="backchannel_deliveries",
        on_delete=models.CASCADE,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    subject = models.CharField(_("subject identifier"), max_length=64)
    jti = models.UUIDField(_("token id"), unique=True, default=uuid.uuid4, editable=False)
    reason = models.CharField(_("reason"), max_length=20, choices=LogoutReason.choices)
    uri = models.URLField(_("back-channel logout URL"))
    issuer = models.CharField(_("issuer"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-channel logout delivery")
        verbose_name_plural = _("back-channel logout deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="accounts_bcl_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="accounts_bcl_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.subject} {self.status}"
