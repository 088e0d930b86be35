"""Helpers and fixtures of the sending and bounce tests (H3's side of the e-papers).

The SMTP sink (aiosmtpd) and the Redis of the fault tests are the notifications tests'
(``tests/notifications/conftest.py``); test modules import the fixtures they use from here.
``smtp_settings`` points Django's EMAIL_* (and so ``BulkSmtp``) at the sink; the sink's
``defer`` set answers 451 at RCPT for those addresses (its ``refuse`` set: 550), and while
``hold_data`` is set a message is received (in ``messages``) but its 250 reply waits: the
server has the message and the sender does not know yet.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from accounts.oidc.services import role_assign
from epaper.models import (
    Issue,
    IssueState,
    Newsletter,
    Subscriber,
    SubscriberState,
    Subscription,
    SubscriptionState,
)
from epaper.services.issues import clean_html, html_to_text
from tests.notifications.conftest import (  # noqa: F401 - fixtures
    Sink,
    _Handler,
    free_port,
    own_redis,
)

SITE = "https://epaper.example.gov.tw"
HTML = (
    "<h2>勞動新知</h2><p>本期重點：最低工資調整，自明年一月一日起實施。</p>"
    '<p>詳見<a href="https://www.mol.gov.tw/news/1">勞動部公告</a>。</p>'
    "<ul><li>月薪 28,590 元</li><li>時薪 190 元</li></ul>"
)


class _DeferringHandler(_Handler):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.sink.rcpt_seen.set()
        while self.sink.hold.is_set():
            await asyncio.sleep(0.05)
        if address in getattr(self.sink, "defer", set()):
            return "451 4.7.1 Greylisted, try again later"
        if address in self.sink.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.sink.data_seen.set()
        while self.sink.hold_data.is_set():
            await asyncio.sleep(0.05)
        return reply


@pytest.fixture
def smtp_sink():
    port = free_port()
    sink = Sink(port=port)
    sink.defer = set()
    sink.hold_data = threading.Event()
    sink.data_seen = threading.Event()
    controller = Controller(_DeferringHandler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        sink.hold.clear()
        sink.hold_data.clear()
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Django (and the bulk sender) send to the sink; links on SITE."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EPAPER_SMTP_RATE = 0
    settings.EPAPER_SMTP_CONNECTIONS = 2
    return smtp_sink


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.EPAPER_FROM_EMAIL = "epaper@mol.gov.tw"
    settings.EPAPER_BOUNCE_ADDRESS = "epaper-bounces@mol.gov.tw"
    settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN = "mol.gov.tw"


def grant(user, role: str):
    with transaction.atomic():
        role_assign(application=None, user=user, role_code=role)
    return user


def newsletter(code: str = "weekly") -> Newsletter:
    return Newsletter.objects.get(code=code)


def subscribe(address: str, *codes: str, state=SubscriptionState.CONFIRMED, **fields):
    subscriber, _created = Subscriber.objects.get_or_create(email=address, defaults=fields)
    for code in codes or ("weekly",):
        Subscription.objects.update_or_create(
            subscriber=subscriber,
            newsletter=newsletter(code),
            defaults={
                "state": state,
                "confirmed_at": timezone.now() if state == SubscriptionState.CONFIRMED else None,
            },
        )
    return subscriber


def subscribers(count: int, code: str = "weekly", prefix: str = "reader") -> list[Subscriber]:
    return [subscribe(f"{prefix}{n}@example.com", code) for n in range(count)]


def scheduled_issue(
    code: str = "weekly",
    *,
    title: str = "勞工電子週報第 12 期：最低工資調整",
    html: str = HTML,
    number: int | None = None,
    at=None,
) -> Issue:
    nl = newsletter(code)
    if number is None:
        number = Issue.objects.filter(newsletter=nl).order_by("-number").first() or None
        number = (number.number or 0) + 1 if number else 1
    html = clean_html(html)
    return Issue.objects.create(
        newsletter=nl,
        title=title,
        html=html,
        text=html_to_text(html),
        number=number,
        state=IssueState.SCHEDULED,
        scheduled_at=at or timezone.now() - timedelta(minutes=1),
    )


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def received_ids(sink) -> list[str]:
    return [str(m["Message-ID"]) for m in sink.messages]


def disable(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(state=SubscriberState.DISABLED)
