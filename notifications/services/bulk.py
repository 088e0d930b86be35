"""SMTP at mailing-list scale: the notifications app's SMTP plumbing for senders of one prepared
message to very many recipients (the e-papers), next to the outbox (one row per message).

``BulkSmtp`` keeps ``connections`` persistent ``smtplib`` connections to ``EMAIL_HOST`` /
``EMAIL_PORT`` (STARTTLS, implicit TLS and login as Django's ``EMAIL_*`` settings say) and
sends bytes that are already a complete message: ``send(from_addr, to_addr, msg_bytes)``.

- ``send`` is thread-safe: each call takes a free connection from the pool (a caller runs one
  thread per connection to use them all) and returns it afterwards.
- A connection the server dropped (idle timeout, restart, ``421``) is reopened once and the
  message tried again on the new one; a second failure is a ``TemporaryFailure``.
- A token bucket limits the messages per second handed to the server (``rate``; 0: no limit),
  shared by all connections of the instance. Bursts are at most ``connections`` messages.
- MAIL FROM, RCPT TO and DATA go in one write when the server offers PIPELINING (RFC 2920):
  one round trip instead of three before the data.
- Outcomes: nothing raised = the server accepted the message (``250`` after the data);
  ``PermanentRefusal`` = the server refused *this* message for good (``5xx`` at ``RCPT`` or
  after the data: unknown user, rejected content); ``TemporaryFailure`` = try again later
  (``4xx``, the connection lost twice, timeouts, the sender refused). ``TemporaryFailure
  .server`` tells whether the server as a whole is in trouble (stop sending for now) or only
  this recipient was deferred (greylisting: go on with the others).
- ``before_end``: called once the server is ready for the data (``354``), before the data
  and its final ``.`` are written: until then the server cannot have the message. A caller
  that must record each message as sent before the next one can be accepted (no more than
  one message per connection sent but not recorded, when the process is killed) waits there
  for its record of the previous message, while the commands of the next one go on.

``bulk_sender()`` builds one from the settings; when ``EMAIL_BACKEND`` is not Django's SMTP
backend (development's console, the tests' locmem), it hands each message to that backend
instead, so the same code runs everywhere.

Messages are passed as bytes with CRLF line ends; the 8BITMIME body option is added for a
message that is not 7-bit when the server offers it. This module and the outbox are the only
places that talk SMTP (``tests/core/test_no_direct_mail.py``).
"""

from __future__ import annotations

import email
import email.policy
import functools
import logging
import queue
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

logger = logging.getLogger("notifications.bulk")

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class BulkSendError(Exception):
    """The message was not accepted. ``code``: the SMTP reply code, 0 when there was none."""

    def __init__(self, message: str, *, code: int = 0):
        super().__init__(message)
        self.code = code


class PermanentRefusal(BulkSendError):
    """The server refused this message for good (a 5xx reply): do not try it again."""


class TemporaryFailure(BulkSendError):
    """Not sent now; try again later. ``server``: the server or the connection failed (stop
    sending for now), not only this recipient (a 4xx at RCPT or after the data)."""

    def __init__(self, message: str, *, code: int = 0, server: bool = True):
        super().__init__(message, code=code)
        self.server = server


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up; ``take()`` waits for one.
    Thread-safe. A rate of 0 or less never waits."""

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = float(rate)
        self.capacity = max(1.0, float(capacity))
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take one token, waiting until there is one; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            # A negative balance is a reservation: this caller waits until it is paid back,
            # callers after it wait longer (a fair queue without holding the lock).
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


@functools.cache
def _local_hostname() -> str:
    # smtplib looks the name up for every new connection (a DNS query); once is enough.
    return socket.getfqdn()


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


def _path(address: str) -> str:
    """``<address>`` for MAIL FROM and RCPT TO: a plain address as it is, an internationalised
    domain in IDNA (punycode). A non-ASCII local part needs SMTPUTF8, which this sender does not
    speak: refused for good."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    local, _sep, domain = address.rpartition("@")
    if not local.isascii():
        raise PermanentRefusal(f"a non-ASCII mailbox name needs SMTPUTF8: {address!r}")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise PermanentRefusal(f"not a valid domain: {address!r}") from exc
    return smtplib.quoteaddr(f"{local}@{domain}")


def _stuffed(msg: bytes) -> bytes:
    """``msg`` dot-stuffed (RFC 5321 4.5.2) and ending with CRLF, ready for DATA."""
    if msg.startswith(b".") or b"\n." in msg:
        msg = _LEADING_DOT.sub(b"..", msg)
    if not msg.endswith(b"\r\n"):
        msg += b"\r\n"
    return msg


class _Dropped(Exception):
    """The connection is gone (or the server said 421): reopen it."""


class _Slot:
    """One pooled connection, opened on first use."""

    def __init__(self, owner: BulkSmtp):
        self.owner = owner
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = self.owner._open()
        return self.smtp

    def close(self, *, quit: bool = False) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if quit:
                smtp.quit()
            else:
                smtp.close()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class BulkSmtp:
    """A pool of ``connections`` SMTP connections with a shared rate limit (see the module)."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool | None = None,
        use_ssl: bool | None = None,
        timeout: float | None = None,
        connections: int = 1,
        rate: float = 0,
        pipelining: bool | None = None,
    ):
        self.host = host if host is not None else settings.EMAIL_HOST
        self.port = int(port if port is not None else settings.EMAIL_PORT)
        self.username = username if username is not None else settings.EMAIL_HOST_USER
        self.password = password if password is not None else settings.EMAIL_HOST_PASSWORD
        self.use_tls = bool(settings.EMAIL_USE_TLS if use_tls is None else use_tls)
        self.use_ssl = bool(settings.EMAIL_USE_SSL if use_ssl is None else use_ssl)
        if self.use_tls and self.use_ssl:
            raise ValueError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be set")
        self.timeout = timeout if timeout is not None else (settings.EMAIL_TIMEOUT or 30)
        self.connections = max(1, int(connections))
        #: RFC 2920 command pipelining: None = when the server offers it.
        self.pipelining = pipelining
        self.bucket = TokenBucket(rate, capacity=self.connections)
        self._pool: queue.LifoQueue[_Slot] = queue.LifoQueue()
        for _ in range(self.connections):
            self._pool.put(_Slot(self))
        #: Connections opened so far (a reconnect counts): for tests and the benchmark.
        self.opened = 0

    # --- Connections ---------------------------------------------------------------------

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=_local_hostname(),
                timeout=self.timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                self.host, self.port, local_hostname=_local_hostname(), timeout=self.timeout
            )
        try:
            if self.use_tls:
                smtp.starttls(context=context)
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.ehlo_or_helo_if_needed()
        except Exception:
            smtp.close()
            raise
        self.opened += 1
        return smtp

    def close(self) -> None:
        """Say QUIT on every open connection (the pool stays usable: they reopen on use)."""
        slots = []
        while True:
            try:
                slots.append(self._pool.get_nowait())
            except queue.Empty:
                break
        for slot in slots:
            slot.close(quit=True)
            self._pool.put(slot)

    def __enter__(self) -> BulkSmtp:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- Sending -------------------------------------------------------------------------

    def send(
        self,
        from_addr: str,
        to_addr: str,
        msg: bytes,
        *,
        before_end: Callable[[], None] | None = None,
    ) -> None:
        """Hand ``msg`` (bytes, CRLF) for ``to_addr`` to the server with envelope sender
        ``from_addr``. Returns when the server accepted it; raises ``PermanentRefusal`` or
        ``TemporaryFailure`` otherwise."""
        data = _stuffed(msg)
        self.bucket.take()
        slot = self._pool.get()
        try:
            for attempt in (1, 2):
                try:
                    smtp = slot.open()
                except (smtplib.SMTPException, OSError) as exc:
                    slot.close()
                    raise TemporaryFailure(
                        f"cannot connect to {self.host}:{self.port}: {exc}"
                    ) from exc
                try:
                    self._transaction(smtp, from_addr, to_addr, data, before_end)
                    return
                except (_Dropped, smtplib.SMTPServerDisconnected, OSError) as exc:
                    slot.close()
                    if attempt == 2:
                        raise TemporaryFailure(f"connection lost: {exc}") from exc
                    logger.debug("bulk smtp: connection dropped, reconnecting", exc_info=True)
                except (PermanentRefusal, TemporaryFailure):
                    raise
                except smtplib.SMTPException as exc:
                    slot.close()
                    raise TemporaryFailure(f"SMTP error: {exc}") from exc
                except BaseException:
                    # Stopped mid-transaction (e.g. in before_end): the connection is unusable.
                    slot.close()
                    raise
        finally:
            self._pool.put(slot)

    def _transaction(self, smtp, from_addr, to_addr, data, before_end) -> None:
        body = " BODY=8BITMIME" if not data.isascii() and smtp.has_extn("8bitmime") else ""
        commands = [f"MAIL FROM:{_path(from_addr)}{body}", f"RCPT TO:{_path(to_addr)}", "DATA"]
        pipelining = self.pipelining
        if pipelining is None:
            pipelining = smtp.has_extn("pipelining")
        if pipelining:  # RFC 2920: the three commands in one write, then their replies
            smtp.send("".join(f"{command}\r\n" for command in commands))
            replies = [smtp.getreply() for _command in commands]
        else:
            replies = []
            for command, ok in zip(commands, ((250,), (250, 251), (354,)), strict=True):
                smtp.send(f"{command}\r\n")
                replies.append(smtp.getreply())
                if replies[-1][0] not in ok:
                    break
        stages = (("MAIL FROM", (250,), True), ("RCPT TO", (250, 251), False))
        for (stage, ok, server), (code, reply) in zip(stages, replies, strict=False):
            if code not in ok:
                if len(replies) == 3 and replies[2][0] == 354:  # a server that took DATA anyway
                    smtp.send(".\r\n")
                    smtp.getreply()
                self._refused(smtp, code, reply, stage=stage, server=server)
        code, reply = replies[2]
        if code != 354:
            self._refused(smtp, code, reply, stage="DATA", server=False)
        if before_end is not None:
            before_end()
        smtp.send(data + b".\r\n")  # one write: the data and its end
        code, reply = smtp.getreply()
        if code != 250:
            # The transaction is over either way; the connection serves the next message.
            self._refused(smtp, code, reply, stage="end of data", server=False, reset=False)

    @staticmethod
    def _refused(smtp, code: int, reply: bytes, *, stage: str, server: bool, reset=True):
        text = f"{stage}: {code} {reply.decode('utf-8', 'replace')}"[:480]
        if code == 421 or code < 0:
            raise _Dropped(text)
        if reset:
            try:
                smtp.rset()
            except smtplib.SMTPServerDisconnected as exc:
                raise _Dropped(text) from exc
        if 500 <= code < 600 and stage != "MAIL FROM":
            raise PermanentRefusal(text, code=code)
        # A refused sender is the server's or our configuration's problem, never one message's.
        raise TemporaryFailure(text, code=code, server=server or stage == "MAIL FROM")


# --- Django backends other than SMTP ------------------------------------------------------------


class _RawEmail(EmailMultiAlternatives):
    """A message already written as bytes, handed to a Django backend that is not SMTP (the
    console in development, locmem in tests): ``subject``, ``body``, the HTML alternative and
    the headers are read back from the bytes, and ``message()`` is the bytes parsed."""

    def __init__(self, from_addr: str, to_addr: str, data: bytes):
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        text = html = ""
        for part in parsed.walk():
            if part.is_multipart():
                continue
            if part.get_content_type() == "text/plain" and not text:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and not html:
                html = part.get_content()
        skipped = {"subject", "from", "to", "mime-version", "content-type"}
        headers = {k: str(v) for k, v in parsed.items() if k.lower() not in skipped}
        super().__init__(
            subject=str(parsed.get("Subject", "")),
            body=text,
            from_email=str(parsed.get("From", from_addr)),
            to=[to_addr],
            headers=headers,
        )
        if html:
            self.attach_alternative(html, "text/html")
        self.raw = data
        self.envelope_from = from_addr

    def message(self, *args, **kwargs):
        return email.message_from_bytes(self.raw)


class BackendSender:
    """The ``BulkSmtp`` interface over Django's configured (non-SMTP) mail backend."""

    connections = 1

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        self.bucket = TokenBucket(0)
        self.opened = 0
        self._lock = threading.Lock()

    def send(self, from_addr, to_addr, msg, *, before_end=None) -> None:
        if before_end is not None:
            before_end()
        try:
            with self._lock:
                self.backend.send_messages([_RawEmail(from_addr, to_addr, msg)])
        except Exception as exc:  # noqa: BLE001 - whatever the backend raised: try later
            raise TemporaryFailure(f"mail backend: {exc}") from exc

    def close(self) -> None:
        self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def bulk_sender(*, connections: int = 1, rate: float = 0) -> BulkSmtp | BackendSender:
    """A ``BulkSmtp`` on the ``EMAIL_*`` settings, or a ``BackendSender`` when
    ``EMAIL_BACKEND`` is not Django's SMTP backend."""
    if settings.EMAIL_BACKEND == SMTP_BACKEND:
        return BulkSmtp(connections=connections, rate=rate)
    return BackendSender()
