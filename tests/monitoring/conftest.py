"""Fixtures of the monitoring tests: local target servers, a group with a contact rule, an
SMTP sink, SMS to a file."""

from __future__ import annotations

import json

import pytest
from aiosmtpd.controller import Controller

from accounts.models import RoleAssignment
from monitoring.choices import CheckKind
from monitoring.models import ApplicationGroup, ContactRule, EscalationStep
from monitoring.roles import MANAGER, OPERATOR
from monitoring.services.checks import check_create
from tests.accounts.factories import RoleFactory, unit

from .servers import TargetServer, TcpPort, free_port, make_certificate


@pytest.fixture
def target():
    server = TargetServer()
    yield server
    server.stop()


@pytest.fixture
def tls_target(tmp_path):
    server = TargetServer(tls=make_certificate(tmp_path))
    yield server
    server.stop()


@pytest.fixture
def expired_target(tmp_path):
    server = TargetServer(tls=make_certificate(tmp_path, expired=True))
    yield server
    server.stop()


@pytest.fixture
def tcp_port():
    port = TcpPort()
    yield port
    port.close()


@pytest.fixture
def group(db):
    return ApplicationGroup.objects.create(
        code="bli", name_zh="勞保局系統", name_en="BLI systems", unit=unit("IM"), public=True
    )


@pytest.fixture
def make_check(group):
    def make(**fields):
        fields.setdefault("name", "Target")
        fields.setdefault("kind", CheckKind.HTTP)
        fields.setdefault("timeout_seconds", 1.0)
        return check_create(actor=None, group=fields.pop("group", group), **fields)

    return make


def grant(user, role_code: str, scope=None):
    role = RoleFactory(code=role_code)
    return RoleAssignment.objects.create(user=user, role=role, scope=scope)


@pytest.fixture
def manager(make_user):
    user = make_user(username="mon-manager")
    grant(user, MANAGER)
    return user


@pytest.fixture
def operator(owner):
    """The owner operates the checks of the IM unit's groups."""
    grant(owner, OPERATOR, scope=unit("IM"))
    return owner


@pytest.fixture
def rule(group, owner, colleague):
    """Step 1: the owner by e-mail at once; step 2: the colleague by e-mail and SMS after 10
    minutes; repeated once."""
    contact = ContactRule.objects.create(name="BLI on call", repeat=1)
    first = EscalationStep.objects.create(rule=contact, order=1, wait_minutes=0, email=True)
    first.users.set([owner])
    second = EscalationStep.objects.create(
        rule=contact, order=2, wait_minutes=10, email=True, sms=True
    )
    second.users.set([colleague])
    colleague.mobile = "0912345678"
    colleague.save(update_fields=["mobile"])
    group.contact_rules.add(contact)
    return contact


class Sink:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


@pytest.fixture
def sms_file(settings, tmp_path):
    path = tmp_path / "sms.jsonl"
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.file.FileGateway"
    settings.NOTIFICATIONS_SMS_FILE = str(path)

    def read() -> list[dict]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    return read
