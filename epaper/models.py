"""The ministry's public newsletters (電子報訂閱): lists, subscribers, opt-in, issues, sending.

- ``Newsletter``: one of the seven lists (seeded by migration 0002), with its editors' role.
- ``Subscriber``: one per e-mail address (normalised), with the consent of its first opt-in,
  its bounce counters and its state (active, disabled by hard bounces, erased on request).
- ``Subscription``: subscriber × newsletter, pending until the citizen confirms *that* list.
- ``OptIn``: one double opt-in request: the lists chosen, the hashed token, its expiry and the
  consent recorded with it (time, IP, source, privacy-notice version).
- ``Issue``: an issue of a newsletter, written by its editors, with a stable public number.
- ``IssueDelivery``: one recipient of one issue: claimed before it is sent, marked after, so a
  crashed send resumes without gaps (see ``services/sending.py``).
- ``Bounce``: a bounce read from the bounce mailbox; ``ImportBatch``: one CSV import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.blocklist import BlockRuleBase
from core.models import TimeStampedModel


class Newsletter(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    publisher_zh = models.CharField(_("publisher (Chinese)"), max_length=100, blank=True)
    publisher_en = models.CharField(_("publisher (English)"), max_length=150, blank=True)
    frequency_zh = models.CharField(_("frequency (Chinese)"), max_length=40, blank=True)
    frequency_en = models.CharField(_("frequency (English)"), max_length=40, blank=True)
    from_name = models.CharField(
        _("sender name"), max_length=100, blank=True, help_text=_("Shown as the mail's sender.")
    )
    editor_role = models.CharField(
        _("editors' role"),
        max_length=100,
        help_text=_("Code of the role whose holders write and send this newsletter's issues."),
    )
    active = models.BooleanField(_("open for subscription"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("epaper:archive", args=[self.code])


class SubscriberState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("e-paper subscriber state", "Active")
    DISABLED = "disabled", _("Disabled (hard bounces)")
    ERASED = "erased", _("Erased on request")


class Subscriber(TimeStampedModel):
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hant")
    state = models.CharField(
        _("state"), max_length=10, choices=SubscriberState.choices, default=SubscriberState.ACTIVE
    )
    #: Part of every signed link (preferences, unsubscribe): raising it revokes them all.
    link_version = models.PositiveIntegerField(_("link version"), default=1)
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces"), default=0)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces in a row"), default=0)
    last_bounce_at = models.DateTimeField(_("last bounce"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_ip = models.GenericIPAddressField(_("consent IP"), null=True, blank=True)
    consent_source = models.CharField(_("consent source"), max_length=40, blank=True)
    privacy_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        related_name="subscribers",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.email


class SubscriptionState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        related_name="subscriptions",
        on_delete=models.CASCADE,
    )
    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        related_name="subscriptions",
        on_delete=models.CASCADE,
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=SubscriptionState.choices,
        default=SubscriptionState.PENDING,
    )
    source = models.CharField(_("source"), max_length=40, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="epaper_subscription_unique"
            )
        ]
        indexes = [
            models.Index(fields=["newsletter", "state", "subscriber"], name="epaper_sub_list")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.newsletter.code}"


class OptIn(models.Model):
    """One double opt-in: confirming it confirms exactly ``newsletters``."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), related_name="opt_ins", on_delete=models.CASCADE
    )
    newsletters = models.ManyToManyField(
        Newsletter, verbose_name=_("newsletters"), related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)
    privacy_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-in request")
        verbose_name_plural = _("opt-in requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subscriber} ({self.created_at:%Y-%m-%d})"


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Issue(TimeStampedModel):
    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), related_name="issues", on_delete=models.PROTECT
    )
    #: The issue's number within its newsletter (``core.sequences``, scope
    #: ``epaper:<code>``), given when it is first scheduled or sent; the public URL uses it.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    #: Sanitised HTML (``services.issues.clean_html``); the plain-text part is generated.
    html = models.TextField(_("content (HTML)"), blank=True)
    text = models.TextField(_("content (plain text)"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=IssueState.choices, default=IssueState.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    bounced_count = models.PositiveIntegerField(_("bounced"), default=0)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "number"],
                condition=Q(number__isnull=False),
                name="epaper_issue_number_unique",
            )
        ]
        indexes = [models.Index(fields=["state", "scheduled_at"], name="epaper_issue_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.number is None:
            return reverse("epaper:archive", args=[self.newsletter.code])
        return reverse("epaper:issue", args=[self.newsletter.code, self.number])


class IssueAsset(models.Model):
    """An image of an issue, stored through the storage API and served by the archive."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("issue"), related_name="assets", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to="epaper/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("image of an issue")
        verbose_name_plural = _("images of issues")

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SKIPPED = "skipped", _("Skipped (unsubscribed before sending)")


class IssueDelivery(models.Model):
    """One recipient of one issue. Written in bulk when the send starts; claimed by a
    conditional update (``state`` pending → sending, a claim token and a lease) before the
    message goes out, and marked sent after."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("issue"), related_name="deliveries", on_delete=models.CASCADE
    )
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), related_name="+", on_delete=models.CASCADE
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: Fixed for the row: a message resent after a crash carries the same Message-ID.
    message_id = models.CharField(_("message ID"), max_length=255, unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recipient of an issue")
        verbose_name_plural = _("recipients of issues")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="epaper_delivery_unique")
        ]
        indexes = [models.Index(fields=["issue", "state", "id"], name="epaper_delivery_claim")]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id}"


class BounceKind(models.TextChoices):
    HARD = "hard", _("Hard (permanent)")
    SOFT = "soft", _("Soft (temporary)")


class Bounce(models.Model):
    message_id = models.CharField(_("message ID"), max_length=255, unique=True)
    bounced_message_id = models.CharField(_("bounced message ID"), max_length=255, blank=True)
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        null=True,
        blank=True,
        related_name="bounces",
        on_delete=models.SET_NULL,
    )
    issue = models.ForeignKey(
        Issue,
        verbose_name=_("issue"),
        null=True,
        blank=True,
        related_name="bounces",
        on_delete=models.SET_NULL,
    )
    kind = models.CharField(_("kind"), max_length=4, choices=BounceKind.choices)
    status = models.CharField(_("status code"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.bounced_message_id}"


class ImportBatch(models.Model):
    """One CSV import of existing subscribers: who ran it, from what, and its report."""

    source = models.CharField(
        _("source"), max_length=100, help_text=_("Where the list came from, e.g. the old system.")
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new subscribers"), default=0)
    merged = models.PositiveIntegerField(_("already known"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta:
        verbose_name = _("subscriber import")
        verbose_name_plural = _("subscriber imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} ({self.created_at:%Y-%m-%d})"


class BlockRule(BlockRuleBase):
    """Who may not subscribe (``core.blocklist``): a mail domain, an address or a network;
    edited in the admin by the e-paper managers."""

    class Meta(BlockRuleBase.Meta):
        verbose_name = _("e-paper block rule")
        verbose_name_plural = _("e-paper block rules")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="epaper_blockrule_unique"),
        ]
