"""The inbox (``Notice``) and the one outbox (``Delivery`` and its ``DeliveryAttempt`` rows).

- ``MessageTemplate``: title/body (text, optional HTML) of a template code in one language,
  editable in the admin; a code without a row falls back to the files
  ``templates/notifications/messages/<code>.{title,body}.txt`` (and ``.body.html``).
- ``Notice``: one item in one person's inbox, rendered in their language when it was sent.
- ``Delivery``: one message on one channel (e-mail, SMS) to one address, written in the same
  transaction as the change that causes it; the relay claims it with a conditional update
  (``pending`` → ``sending``) so it is sent at most once per row. ``message_id`` is fixed at
  creation: a resend of the same row carries the same ``Message-ID`` (SMS: Mitake ``clientid``).
- ``Preference``: a person's channels per kind, quiet hours, digest, language.
- ``FeedToken``: a personal, revocable token for a desktop notifier (stored as a SHA-256).
- ``ApiClient`` / ``ApiMessage``: applications allowed to send through the API, and what
  each sent, unique by (client, caller's message id).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    AttemptOutcome,
    Channel,
    DeliveryState,
    NoticeKind,
    NoticeState,
    Priority,
)


class MessageTemplate(models.Model):
    """A template code in one language. Rendered with Django's template language; the
    ``sample_context`` (JSON) fills the admin preview."""

    code = models.CharField(
        _("code"), max_length=100, help_text=_("For example documents.signoff_pending.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hant"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.INFORMATION
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    body_html = models.TextField(
        _("HTML"),
        blank=True,
        help_text=_("Optional; without it the e-mail's HTML part is built from the text."),
    )
    sample_context = models.JSONField(_("sample data for the preview"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language"], name="notifications_template_code_lang"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.language})"


class Notice(models.Model):
    """One item in one person's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        related_name="notices",
        on_delete=models.CASCADE,
    )
    source = models.CharField(
        _("source"), max_length=100, help_text=_("The app or external system that sent it.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    template = models.CharField(_("template"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=1000, blank=True)
    due = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.UNREAD
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    target_id = models.CharField(_("item id"), max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    api_message = models.ForeignKey(
        "ApiMessage",
        verbose_name=_("API message"),
        null=True,
        blank=True,
        related_name="notices",
        on_delete=models.SET_NULL,
    )
    digest_pending = models.BooleanField(_("waiting for the daily digest"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "state", "-created_at"], name="notif_notice_inbox"),
            models.Index(fields=["target_type", "target_id"], name="notif_notice_target"),
            models.Index(fields=["recipient", "digest_pending"], name="notif_notice_digest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in (NoticeState.UNREAD, NoticeState.READ)


class Delivery(models.Model):
    """One message on one channel to one address: the outbox row.

    States: ``pending`` (due at ``due_at``) → ``sending`` (claimed until ``lease_until``) →
    ``sent`` / ``delivered`` / ``failed`` / ``bounced``; ``cancelled`` when its to-do closed
    before a held message went out. A claim that outlives its lease (the worker died) goes
    back to ``pending`` in the sweep.
    """

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        null=True,
        blank=True,
        related_name="deliveries",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("What the message is, e.g. petitions.confirmation.")
    )
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    reply_to = models.CharField(_("reply-to"), max_length=254, blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("The text carries a secret: it is erased once the message is sent."),
    )
    has_attachments = models.BooleanField(
        _("has attachments"),
        default=False,
        help_text=_("Files go with the e-mail (DeliveryAttachment rows)."),
    )
    message_id = models.CharField(_("message ID"), max_length=255, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True, db_index=True)
    provider_status = models.CharField(_("provider status"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    fallback_of = models.ForeignKey(
        "self",
        verbose_name=_("fallback of"),
        null=True,
        blank=True,
        related_name="fallbacks",
        on_delete=models.SET_NULL,
    )
    fallback_email = models.CharField(
        _("fallback e-mail"),
        max_length=254,
        blank=True,
        help_text=_("Where an SMS that cannot be delivered is sent by e-mail instead."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.TextField(_("bounce reason"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notif_delivery_due"),
            models.Index(fields=["source_type", "source_id"], name="notif_delivery_source"),
            models.Index(fields=["created_at"], name="notif_delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind} → {self.to}"


def _attachment_path(instance, filename: str) -> str:
    # A random name: the file's own name is kept on the row, never in the storage path.
    return f"notifications/attachments/{uuid.uuid4().hex}"


class DeliveryAttachment(models.Model):
    """A file that goes with an e-mail delivery, kept through Django's storage for every
    resend; its file is deleted with the delivery by retention (``notices_purge``) and by
    ``deliveries_erase``."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), related_name="attachments", on_delete=models.CASCADE
    )
    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("delivery attachment")
        verbose_name_plural = _("delivery attachments")
        ordering = ["delivery_id", "id"]

    def __str__(self) -> str:
        return self.filename


class DeliveryAttempt(models.Model):
    """One try to hand a delivery to its provider."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), related_name="attempt_log", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AttemptOutcome.choices)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {self.outcome}"


class Preference(models.Model):
    """How one person wants to hear of notices. Without a row the defaults apply
    (``services.preferences.DEFAULT_CHANNELS``, quiet hours from the settings)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        related_name="notice_preference",
        on_delete=models.CASCADE,
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hant"
    )
    channels = models.JSONField(
        _("channels by kind"),
        default=dict,
        blank=True,
        help_text=_(
            'For example {"information": ["email"], "todo": ["email"], "alert": ["email", "sms"]}.'
        ),
    )
    quiet_hours = models.BooleanField(_("quiet hours"), default=True)
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Information notices come in one e-mail a day instead of one each."),
    )
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class FeedToken(models.Model):
    """A personal token for a desktop notifier (the e公務精靈 role). Only its SHA-256 is kept;
    the token is shown once when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        related_name="notice_feed_tokens",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: office PC."))
    checksum = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiClient(models.Model):
    """An application (OAuth2 client) allowed to send notices through the API. Its token must
    also hold the ``notifications:send`` scope."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("application"),
        related_name="notification_sender",
        on_delete=models.CASCADE,
    )
    source = models.CharField(
        _("source name"), max_length=100, help_text=_("Shown on the notices it sends.")
    )
    active = models.BooleanField(_("active"), default=True)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Empty: the setting NOTIFICATIONS_API_RATE_PER_MINUTE."),
    )
    allow_alerts = models.BooleanField(
        _("may send alerts"), default=False, help_text=_("Alerts ignore quiet hours.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API sender")
        verbose_name_plural = _("API senders")

    def __str__(self) -> str:
        return self.source


class ApiMessage(models.Model):
    """What one API caller sent under its own message id (idempotency key)."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API sender"), related_name="messages", on_delete=models.CASCADE
    )
    message_id = models.CharField(_("caller's message id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    payload = models.JSONField(_("request"), default=dict)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API message")
        verbose_name_plural = _("API messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "message_id"], name="notifications_api_message_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.message_id}"
