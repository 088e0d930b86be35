"""The subscriber's side: double opt-in, confirmation, preferences, leaving, "mail me my link".

Contracts:

- Addresses are kept as typed once normalised (``core.text.normalise_email``: full-width
  characters, controls and bidirectional marks removed) and then lower-cased whole, so one
  person is one ``Subscriber`` whatever the capitals (``subscriber_email``).
- ``subscribe`` starts a double opt-in: an ``OptIn`` row naming exactly the lists chosen, with
  the SHA-256 of a 256-bit token (the database never holds a usable link), its expiry
  (``constants.OPT_IN_HOURS``) and the consent given with it (time, IP, source ``web`` or
  ``api``, ``constants.PRIVACY_VERSION``); the chosen lists not yet confirmed become pending,
  and the link is mailed through the outbox as a sensitive row (its text erased once sent).
  A list already confirmed stays confirmed: nobody can hold up someone else's newsletter by
  typing their address.
- ``opt_in_confirm`` confirms only the lists of that opt-in; other lists are untouched, and a
  second confirmation changes nothing.
- Every answer to the public is the same whether the address is known or not (no
  enumeration): ``subscribe``, ``opt_in_resend`` and ``link_request`` mail the address itself,
  never tell the caller anything about it.
- Abuse rules (``SubscriptionRefused`` with a ``code``): a filled honeypot is accepted and
  ignored (``honeypot``: the caller shows the usual page and nothing is mailed), an address,
  mail domain or network on the block list (``BlockRule``, edited in the admin) is refused on
  the ``email`` field (``blocked``), and each address and each network has a budget of
  ``EPAPER_RATE_PER_EMAIL`` /
  ``EPAPER_RATE_PER_IP`` requests (subscribe, resend and "my link" together) per
  ``EPAPER_RATE_WINDOW_SECONDS`` (``rate``; ``core.ratelimit``, allowed when the cache is down).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from core import blocklist, ratelimit
from core.http import absolute_url
from core.text import normalise_email
from notifications.services import outbox_email

from ..constants import OPT_IN_HOURS, PRIVACY_VERSION
from ..models import (
    BlockRule,
    DeliveryState,
    IssueDelivery,
    Newsletter,
    OptIn,
    Subscriber,
    SubscriberState,
    Subscription,
    SubscriptionState,
)
from . import links

logger = logging.getLogger(__name__)

#: ``kind`` of the outbox rows (their List-Id follows from it).
KIND_OPT_IN = "epaper.opt_in"
KIND_MY_LINK = "epaper.my_link"
#: Sources of a consent / a subscription.
SOURCE_WEB = "web"
SOURCE_API = "api"
SOURCE_PREFERENCES = "preferences"
SOURCES = (SOURCE_WEB, SOURCE_API)
#: An opt-in waiting longer than this is no longer sent again (the person subscribes anew).
RESEND_WINDOW_DAYS = 30
#: Languages a subscriber's mail can be in.
LANGUAGES = ("zh-hant", "en")


class SubscriptionRefused(ValidationError):
    """An abuse rule refused the request; ``code``: ``honeypot``, ``blocked`` or ``rate``."""


def _refused(message, *, code: str) -> SubscriptionRefused:
    """A refusal naming its field (``{"email": [...]}``) that still carries its ``code``."""
    exc = SubscriptionRefused(message, code=code)
    exc.code = code
    return exc


@dataclass
class Confirmation:
    subscriber: Subscriber
    newsletters: list[Newsletter] = field(default_factory=list)
    already: bool = False


# --- Tokens and addresses ----------------------------------------------------------------------


def token_new() -> str:
    """A URL token of 256 bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a URL token: what the database keeps."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def subscriber_email(value) -> str:
    """The one form of an address: normalised (``core.text.normalise_email``), lower case."""
    return normalise_email(value).lower()


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def subscriber_language(language: str | None) -> str:
    """``zh-hant`` or ``en``, from a language code (``en-us`` → ``en``)."""
    return "en" if (language or "").lower().startswith("en") else "zh-hant"


# --- Abuse rules ---------------------------------------------------------------------------------


def blocked_kind(*, email: str, ip: str | None) -> str | None:
    """Which active e-paper block rule matches the address or the network, or None."""
    rules = BlockRule.objects.filter(active=True).only("kind", "value")
    return blocklist.matching_kind(rules, email=email, ip=ip)


def check_rate(*, email: str, ip: str | None) -> None:
    """Count one request for the address and the network; ``SubscriptionRefused`` (code
    ``rate``) beyond the budget."""
    if not settings.EPAPER_RATE_LIMIT_ENABLED:
        return
    window = settings.EPAPER_RATE_WINDOW_SECONDS
    keys = [("epaper:rate:ip:" + ip, settings.EPAPER_RATE_PER_IP)] if ip else []
    if email:
        keys.append(("epaper:rate:email:" + _email_hash(email), settings.EPAPER_RATE_PER_EMAIL))
    for key, limit in keys:
        if not ratelimit.hit(key, limit=limit, window=window):
            raise SubscriptionRefused(
                _(
                    "You have asked for this several times recently. Please check your e-mail "
                    "(also the spam folder) and try again in %(minutes)d minutes."
                ),
                code="rate",
                params={"minutes": max(1, window // 60)},
            )


def _clean_email(value) -> str:
    email = subscriber_email(value)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    if len(email) > Subscriber._meta.get_field("email").max_length:
        raise ValidationError({"email": [_("This e-mail address is too long.")]})
    return email


def _clean_newsletters(newsletters: Iterable, allowed=None) -> list[Newsletter]:
    """Newsletters or codes → newsletters of ``allowed`` (default: the active ones); unknown
    or closed ones are refused."""
    items = list(newsletters or [])
    codes = [item.code if isinstance(item, Newsletter) else str(item) for item in items]
    if not codes:
        raise ValidationError(
            {"newsletters": [_("Choose at least one newsletter.")]}, code="required"
        )
    if allowed is None:
        allowed = Newsletter.objects.filter(active=True)
    found = {n.code: n for n in allowed.filter(code__in=codes)}
    unknown = sorted({code for code in codes if code not in found})
    if unknown:
        raise ValidationError(
            {
                "newsletters": [
                    _("Unknown or closed newsletter: %(codes)s.")
                    % {"codes": ", ".join(code[:40] for code in unknown[:10])}
                ]
            },
            code="invalid_choice",
        )
    return sorted(found.values(), key=lambda n: (n.sort_order, n.code))


# --- Mail ----------------------------------------------------------------------------------------


def _mail(
    *, subscriber: Subscriber, template: str, context: dict, kind: str, language: str = ""
) -> None:
    """Render ``templates/epaper/emails/<template>`` in ``language`` (the page's; else the
    subscriber's) and put it in the outbox as a sensitive row (the link in it is a secret), in
    the caller's transaction."""
    language = subscriber_language(language or subscriber.language)
    context = {**context, "english": language == "en"}
    with override(language):
        subject = render_to_string(f"epaper/emails/{template}_subject.txt", context)
        body = render_to_string(f"epaper/emails/{template}.txt", context)
    outbox_email(
        to=subscriber.email,
        subject=" ".join(subject.split()),
        text=body,
        kind=kind,
        source=subscriber,
        sensitive=True,
    )


def _send_opt_in(
    *, opt_in: OptIn, token: str, base_url: str, language: str, resent: bool = False
) -> None:
    newsletters = list(opt_in.newsletters.order_by("sort_order", "code"))
    _mail(
        subscriber=opt_in.subscriber,
        template="opt_in",
        kind=KIND_OPT_IN,
        language=language,
        context={
            "link": absolute_url(reverse("epaper:confirm", args=[token]), base_url),
            "hours": OPT_IN_HOURS,
            "newsletters": newsletters,
            "resent": resent,
            "again_link": absolute_url(reverse("epaper:subscribe"), base_url),
        },
    )


# --- Subscribing ---------------------------------------------------------------------------------


def _subscriber_for(email: str, language: str) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None:
        return subscriber
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email, language=language)
    except IntegrityError:  # created at the same moment by another request
        return Subscriber.objects.select_for_update().get(email=email)


def subscribe(
    *,
    email: str,
    newsletters: Iterable,
    consent: bool,
    ip: str | None = None,
    source: str = SOURCE_WEB,
    language: str | None = None,
    base_url: str = "",
    honeypot: str = "",
) -> OptIn | None:
    """Start a double opt-in for ``newsletters`` (instances or codes) and mail its link.

    Returns the ``OptIn``, or None when the honeypot was filled (nothing saved or mailed;
    the caller answers as usual). ``ValidationError`` on ``email``, ``newsletters`` or
    ``consent``; ``SubscriptionRefused`` for a block rule or the rate limit."""
    if honeypot:
        logger.info("epaper subscription ignored: honeypot filled (ip %s)", ip)
        return None
    if source not in SOURCES:
        raise ValueError(f"unknown consent source {source!r}")
    address = _clean_email(email)
    chosen = _clean_newsletters(newsletters)
    if not consent:
        raise ValidationError(
            {"consent": [_("Please agree to the privacy notice so that we can send you mail.")]},
            code="required",
        )
    if blocked_kind(email=address, ip=ip):
        raise _refused(
            {"email": [_("Subscriptions from this address or network are not accepted.")]},
            code="blocked",
        )
    check_rate(email=address, ip=ip)
    language = subscriber_language(language or get_language())
    now = timezone.now()
    token = token_new()
    with transaction.atomic():
        # A known subscriber's language changes when they confirm (the page they confirm on),
        # never because somebody typed their address.
        subscriber = _subscriber_for(address, language)
        opt_in = OptIn.objects.create(
            subscriber=subscriber,
            token_hash=token_hash(token),
            expires_at=now + timedelta(hours=OPT_IN_HOURS),
            ip=ip,
            source=source,
            privacy_version=PRIVACY_VERSION,
        )
        opt_in.newsletters.set(chosen)
        existing = {
            s.newsletter_id: s
            for s in Subscription.objects.select_for_update().filter(
                subscriber=subscriber, newsletter__in=chosen
            )
        }
        for newsletter in chosen:
            current = existing.get(newsletter.pk)
            if current is None:
                Subscription.objects.create(
                    subscriber=subscriber,
                    newsletter=newsletter,
                    state=SubscriptionState.PENDING,
                    source=source,
                )
            elif current.state == SubscriptionState.UNSUBSCRIBED:
                current.state = SubscriptionState.PENDING
                current.source = source
                current.save(update_fields=["state", "source"])
        _send_opt_in(opt_in=opt_in, token=token, base_url=base_url, language=language)
    return opt_in


def opt_in_resend(
    *, email: str, ip: str | None = None, base_url: str = "", language: str | None = None
) -> bool:
    """Send the newest unconfirmed opt-in of ``email`` again with a new link, valid
    ``OPT_IN_HOURS`` from now; the link sent before stops working. Returns whether a mail was
    sent: the caller answers the same either way."""
    address = _clean_email(email)
    check_rate(email=address, ip=ip)
    now = timezone.now()
    token = token_new()
    with transaction.atomic():
        opt_in = (
            OptIn.objects.select_for_update()
            .filter(
                subscriber__email=address,
                confirmed_at__isnull=True,
                created_at__gte=now - timedelta(days=RESEND_WINDOW_DAYS),
            )
            .exclude(subscriber__state=SubscriberState.ERASED)
            .select_related("subscriber")
            .order_by("-created_at", "-pk")
            .first()
        )
        if opt_in is None:
            return False
        opt_in.token_hash = token_hash(token)
        opt_in.expires_at = now + timedelta(hours=OPT_IN_HOURS)
        opt_in.save(update_fields=["token_hash", "expires_at"])
        _send_opt_in(
            opt_in=opt_in, token=token, base_url=base_url, language=language or "", resent=True
        )
    return True


def opt_in_for_token(token: str) -> OptIn | None:
    """The opt-in a link names (confirmed or not, expired or not), or None."""
    if not token:
        return None
    return (
        OptIn.objects.filter(token_hash=token_hash(token))
        .exclude(subscriber__state=SubscriberState.ERASED)
        .select_related("subscriber")
        .first()
    )


def opt_in_confirm(*, token: str, language: str | None = None) -> Confirmation:
    """Confirm the lists of the opt-in the link names, and only those. The subscriber's
    consent is that of its first confirmed opt-in; a subscriber disabled by bounces is active
    again (the confirmation proves the mailbox receives mail); ``language`` (the page's)
    becomes the subscriber's. A second confirmation changes nothing (``already``); an unknown
    or expired link is a ``ValidationError`` (codes ``invalid`` and ``expired``)."""
    with transaction.atomic():
        opt_in = (
            OptIn.objects.select_for_update()
            .filter(token_hash=token_hash(token))
            .exclude(subscriber__state=SubscriberState.ERASED)
            .select_related("subscriber")
            .first()
            if token
            else None
        )
        if opt_in is None:
            raise ValidationError(
                _(
                    "This confirmation link is not valid. Please copy the whole link from the "
                    "e-mail; if you asked for the link again, use the newest e-mail."
                ),
                code="invalid",
            )
        newsletters = list(opt_in.newsletters.order_by("sort_order", "code"))
        subscriber = opt_in.subscriber
        if opt_in.confirmed_at is not None:
            return Confirmation(subscriber=subscriber, newsletters=newsletters, already=True)
        now = timezone.now()
        if opt_in.expires_at < now:
            raise ValidationError(
                _(
                    "This confirmation link has expired (links are valid for %(hours)d hours). "
                    "You can ask for a new link."
                ),
                code="expired",
                params={"hours": OPT_IN_HOURS},
            )
        opt_in.confirmed_at = now
        opt_in.save(update_fields=["confirmed_at"])
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        changed = ["updated_at"]
        if language:
            subscriber.language = subscriber_language(language)
            changed.append("language")
        if subscriber.consented_at is None:
            subscriber.consented_at = now
            subscriber.consent_ip = opt_in.ip
            subscriber.consent_source = opt_in.source
            subscriber.privacy_version = opt_in.privacy_version
            changed += ["consented_at", "consent_ip", "consent_source", "privacy_version"]
        if subscriber.state == SubscriberState.DISABLED:
            subscriber.state = SubscriberState.ACTIVE
            subscriber.hard_bounces = 0
            subscriber.soft_bounces = 0
            subscriber.disabled_at = None
            changed += ["state", "hard_bounces", "soft_bounces", "disabled_at"]
        subscriber.save(update_fields=changed)
        for newsletter in newsletters:
            subscription, _created = Subscription.objects.select_for_update().get_or_create(
                subscriber=subscriber, newsletter=newsletter, defaults={"source": opt_in.source}
            )
            if subscription.state != SubscriptionState.CONFIRMED:
                subscription.state = SubscriptionState.CONFIRMED
                subscription.confirmed_at = now
                subscription.unsubscribed_at = None
                subscription.source = opt_in.source
                subscription.save(
                    update_fields=["state", "confirmed_at", "unsubscribed_at", "source"]
                )
    return Confirmation(subscriber=subscriber, newsletters=newsletters, already=False)


# --- Preferences and leaving ---------------------------------------------------------------------


def _skip_pending_deliveries(*, subscriber: Subscriber, newsletters: list[Newsletter]) -> None:
    """Recipients of issues being sent who left before their message went out: skipped."""
    if newsletters:
        IssueDelivery.objects.filter(
            subscriber=subscriber,
            issue__newsletter__in=newsletters,
            state=DeliveryState.PENDING,
        ).update(state=DeliveryState.SKIPPED)


def preference_choices(subscriber: Subscriber):
    """The lists the preferences page offers: every active one and those the subscriber is on
    (a newsletter closed for subscription still reaches its subscribers)."""
    return Newsletter.objects.filter(
        Q(active=True)
        | Q(
            subscriptions__subscriber=subscriber,
            subscriptions__state__in=[SubscriptionState.CONFIRMED, SubscriptionState.PENDING],
        )
    ).distinct()


def unsubscribe(*, subscriber: Subscriber, newsletter: Newsletter) -> bool:
    """Leave one newsletter (RFC 8058 one-click and the unsubscribe page): only this
    address's subscription to this newsletter, one conditional update. Returns whether
    anything changed (False the second time)."""
    with transaction.atomic():
        changed = (
            Subscription.objects.filter(subscriber=subscriber, newsletter=newsletter)
            .exclude(state=SubscriptionState.UNSUBSCRIBED)
            .update(state=SubscriptionState.UNSUBSCRIBED, unsubscribed_at=timezone.now())
        )
        if changed:
            _skip_pending_deliveries(subscriber=subscriber, newsletters=[newsletter])
    return bool(changed)


def preferences_update(
    *, subscriber: Subscriber, newsletters: Iterable, language: str | None = None
) -> tuple[list[Newsletter], list[Newsletter]]:
    """Set the lists of the subscriber who opened their signed preferences link: lists chosen
    are confirmed at once (the link came to their mailbox), the others are left. An empty
    choice leaves every list. Returns ``(joined, left)``."""
    items = list(newsletters or [])
    chosen = _clean_newsletters(items, allowed=preference_choices(subscriber)) if items else []
    chosen_ids = {n.pk for n in chosen}
    now = timezone.now()
    joined, left = [], []
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.state == SubscriberState.ERASED:
            raise ValidationError(_("This link is no longer valid."), code="invalid")
        if language:
            subscriber.language = subscriber_language(language)
            subscriber.save(update_fields=["language", "updated_at"])
        current = {
            s.newsletter_id: s
            for s in Subscription.objects.select_for_update()
            .filter(subscriber=subscriber)
            .select_related("newsletter")
        }
        for subscription in current.values():
            if (
                subscription.newsletter_id not in chosen_ids
                and subscription.state != SubscriptionState.UNSUBSCRIBED
            ):
                subscription.state = SubscriptionState.UNSUBSCRIBED
                subscription.unsubscribed_at = now
                subscription.save(update_fields=["state", "unsubscribed_at"])
                left.append(subscription.newsletter)
        for newsletter in chosen:
            subscription = current.get(newsletter.pk)
            if subscription is None:
                Subscription.objects.create(
                    subscriber=subscriber,
                    newsletter=newsletter,
                    state=SubscriptionState.CONFIRMED,
                    source=SOURCE_PREFERENCES,
                    confirmed_at=now,
                )
                joined.append(newsletter)
            elif subscription.state != SubscriptionState.CONFIRMED:
                subscription.state = SubscriptionState.CONFIRMED
                subscription.confirmed_at = now
                subscription.unsubscribed_at = None
                subscription.source = SOURCE_PREFERENCES
                subscription.save(
                    update_fields=["state", "confirmed_at", "unsubscribed_at", "source"]
                )
                joined.append(newsletter)
        _skip_pending_deliveries(subscriber=subscriber, newsletters=left)
    return joined, left


def unsubscribe_all(*, subscriber: Subscriber) -> list[Newsletter]:
    """Leave every list (the preferences page's "leave all"). Returns the lists left."""
    return preferences_update(subscriber=subscriber, newsletters=[])[1]


# --- "Mail me my link" ---------------------------------------------------------------------------


def preferences_link(subscriber: Subscriber, base_url: str = "") -> str:
    """The absolute address of the subscriber's signed preferences page."""
    return absolute_url(
        reverse("epaper:preferences", args=[links.preferences_token(subscriber)]), base_url
    )


def link_request(
    *, email: str, ip: str | None = None, base_url: str = "", language: str | None = None
) -> bool:
    """Mail the preferences link to ``email`` when it is an active subscriber with at least
    one confirmed list. Returns whether a mail was sent: the caller answers the same either
    way."""
    address = _clean_email(email)
    check_rate(email=address, ip=ip)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.filter(
                email=address,
                state=SubscriberState.ACTIVE,
                subscriptions__state=SubscriptionState.CONFIRMED,
            )
            .distinct()
            .first()
        )
        if subscriber is None:
            return False
        newsletters = list(
            Newsletter.objects.filter(
                subscriptions__subscriber=subscriber,
                subscriptions__state=SubscriptionState.CONFIRMED,
            ).order_by("sort_order", "code")
        )
        _mail(
            subscriber=subscriber,
            template="my_link",
            kind=KIND_MY_LINK,
            language=language or "",
            context={
                "link": preferences_link(subscriber, base_url),
                "newsletters": newsletters,
            },
        )
    return True
