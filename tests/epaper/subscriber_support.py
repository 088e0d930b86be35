"""Helpers and fixtures of the subscriber-side tests (H1's side of the e-papers).

People: ``manager`` holds ``epaper.manager``; ``editor`` edits the weekly newsletter
(``epaper.editor.weekly``) and nothing else; ``plain_staff`` is a signed-in member of staff
with no e-paper role; with tests/conftest.py's ``owner``/``colleague``/``outsider`` for the
permission tests. Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from accounts.oidc.services import role_assign
from epaper.models import Newsletter, Subscriber, Subscription, SubscriptionState
from epaper.roles import MANAGER, editor_role
from epaper.services import subscriptions

CONFIRM_LINK = re.compile(r"(https?://\S+?/epaper/confirm/([\w-]+)/)")
PREFERENCES_LINK = re.compile(r"(https?://\S+?/epaper/preferences/([^/\s]+)/)")


def grant(user, role: str):
    with transaction.atomic():
        role_assign(application=None, user=user, role_code=role, scope=None)
    return user


def confirm_link(message) -> tuple[str, str]:
    """``(absolute link, token)`` of the confirmation link in a mail."""
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def preferences_link(message) -> tuple[str, str]:
    match = PREFERENCES_LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def subscribed(email: str, *codes: str, state=SubscriptionState.CONFIRMED) -> Subscriber:
    """A subscriber of ``codes`` in ``state`` (made directly, no mail)."""
    subscriber, _created = Subscriber.objects.get_or_create(email=email)
    for code in codes:
        Subscription.objects.update_or_create(
            subscriber=subscriber,
            newsletter=Newsletter.objects.get(code=code),
            defaults={"state": state},
        )
    return subscriber


def states(subscriber: Subscriber) -> dict[str, str]:
    return dict(subscriber.subscriptions.values_list("newsletter__code", "state"))


def start(commit, email="chen@example.com", codes=("weekly",), **kwargs):
    """Start an opt-in through the service and return ``(opt_in, token)`` from the mail."""
    before = len(mail.outbox)
    opt_in = commit(
        subscriptions.subscribe,
        email=email,
        newsletters=list(codes),
        consent=True,
        ip="192.0.2.10",
        **kwargs,
    )
    assert len(mail.outbox) == before + 1
    return opt_in, confirm_link(mail.outbox[-1])[1]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``commit(fn, *args, **kwargs)``: call ``fn`` and run what it left for after the commit
    (the outbox relays its mail: ``mail.outbox`` has it)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def manager(make_user):
    return grant(make_user(username="epaper-manager", is_staff=True), MANAGER)


@pytest.fixture
def editor(make_user):
    return grant(make_user(username="weekly-editor", is_staff=True), editor_role("weekly"))


@pytest.fixture
def plain_staff(make_user):
    return make_user(username="plain-staff", is_staff=True)


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF like a browser-less caller meets it."""
    return Client(enforce_csrf_checks=True)
