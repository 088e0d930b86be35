"""Fixtures of the notifications tests: a real SMTP sink (aiosmtpd), fake SMS gateways, and a
Redis and Celery worker of their own for the fault tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from notifications.services import outbox
from tests.conftest import port_open, require


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_smtp_connection():
    """The outbox keeps one SMTP connection per process: never carry one between tests."""
    outbox._smtp_close()
    yield
    outbox._smtp_close()


@dataclass
class Sink:
    """What the SMTP sink received. ``hold`` set: the next RCPT waits until it is cleared
    (a server that stalls while a worker is mid-send). Addresses in ``refuse`` get a 550 at
    RCPT; ``greetings`` counts EHLOs (one per connection smtplib opens)."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    rcpt_seen: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event = field(default_factory=threading.Event)
    refuse: set[str] = field(default_factory=set)
    raw: list[bytes] = field(default_factory=list)
    greetings: int = 0

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class _Handler:
    def __init__(self, sink: Sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sink.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.sink.rcpt_seen.set()
        while self.sink.hold.is_set():
            await asyncio.sleep(0.05)
        if address in self.sink.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sink.raw.append(envelope.original_content or envelope.content)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink.messages.append(message)
        self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink():
    port = free_port()
    sink = Sink(port=port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        sink.hold.clear()
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Django sends through the real SMTP sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_sink


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own on a free port (stopped afterwards)."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    server = RedisServer(port=port, process=process)
    deadline = time.monotonic() + 10
    while not port_open("127.0.0.1", port):
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield server
    server.stop()


def unique_node() -> str:
    return f"mol-notif-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"


def worker_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-6000:] if path.exists() else ""
