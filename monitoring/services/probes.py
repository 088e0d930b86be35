"""The probes: one HTTP(S), TCP or DNS attempt each, on asyncio, with no raw sockets.

``probe_all(specs, concurrency=)`` runs every spec at once under a semaphore, each bounded by
its own timeout, so one slow target never delays the others. A spec is a plain ``Spec`` (no
model instance: the event loop never touches the database). HTTP keeps two clients for the
run (verifying and not), so connections to one host are reused between its checks.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from cryptography import x509
from django.utils.translation import gettext as _

from ..choices import CheckKind
from ..constants import MESSAGE_LENGTH


@dataclass
class Spec:
    pk: int
    kind: str
    url: str = ""
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body: str = ""
    expected_status: str = "200-399"
    keyword: str = ""
    json_path: str = ""
    json_value: str = ""
    max_response_ms: int | None = None
    verify_tls: bool = True
    tls_warning_days: int = 14
    host: str = ""
    port: int | None = None
    dns_expected: str = ""
    timeout: float = 10.0
    retries: int = 0


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    response_ms: int | None = None
    status_code: int | None = None
    tls_expires_at: datetime | None = None


def status_allowed(code: int, expected: str) -> bool:
    """Whether ``code`` matches ``expected`` ("200", "200,204", "200-299,301")."""
    for part in (p.strip() for p in expected.split(",")):
        if not part:
            continue
        if "-" in part:
            low, _sep, high = part.partition("-")
            if int(low) <= code <= int(high):
                return True
        elif code == int(part):
            return True
    return False


_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def json_lookup(document, path: str):
    """The value at a simple JSONPath (``$.a.b[0].c``); ``KeyError`` when absent."""
    path = path.strip()
    if path.startswith("$"):
        path = path[1:]
    value = document
    position = 0
    for match in _PATH_PART.finditer(path):
        if match.start() != position:
            raise KeyError(path)
        position = match.end()
        key, index = match.groups()
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                raise KeyError(path)
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise KeyError(path)
            value = value[int(index)]
    if position != len(path):
        raise KeyError(path)
    return value


def _peer_expiry(response: httpx.Response) -> datetime | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    return x509.load_der_x509_certificate(der).not_valid_after_utc


def _short(text: str) -> str:
    return " ".join(str(text).split())[:MESSAGE_LENGTH]


async def _http(spec: Spec, clients: dict[bool, httpx.AsyncClient]) -> Outcome:
    client = clients[spec.verify_tls]
    started = time.perf_counter()
    try:
        async with client.stream(
            spec.method,
            spec.url,
            headers=spec.headers or None,
            content=spec.body.encode() if spec.body else None,
            timeout=spec.timeout,
        ) as response:
            expires = _peer_expiry(response)
            content = await response.aread()
    except httpx.TimeoutException:
        return Outcome(False, _("Timed out after %(s)s s") % {"s": spec.timeout})
    except httpx.HTTPError as exc:
        reason = exc.__cause__ or exc.__context__ or exc
        if isinstance(reason, ssl.SSLCertVerificationError):
            return Outcome(False, _short(_("TLS: %(e)s") % {"e": reason.verify_message}))
        return Outcome(False, _short(f"{type(exc).__name__}: {exc}"))
    elapsed = int((time.perf_counter() - started) * 1000)
    outcome = Outcome(True, "", elapsed, response.status_code, expires)
    if not status_allowed(response.status_code, spec.expected_status):
        outcome.ok = False
        outcome.message = _("Status %(code)s") % {"code": response.status_code}
        return outcome
    if spec.keyword and spec.keyword not in content.decode(response.encoding or "utf-8", "replace"):
        outcome.ok = False
        outcome.message = _short(_("Keyword %(k)s not found") % {"k": spec.keyword})
        return outcome
    if spec.json_path:
        try:
            value = json_lookup(json.loads(content), spec.json_path)
        except (ValueError, KeyError):
            outcome.ok = False
            outcome.message = _short(_("%(path)s not in the answer") % {"path": spec.json_path})
            return outcome
        if (
            spec.json_value
            and str(value if not isinstance(value, bool) else json.dumps(value)) != spec.json_value
        ):
            outcome.ok = False
            outcome.message = _short(
                _("%(path)s is %(value)s") % {"path": spec.json_path, "value": value}
            )
            return outcome
    if spec.max_response_ms is not None and elapsed > spec.max_response_ms:
        outcome.ok = False
        outcome.message = _("Slow: %(ms)s ms") % {"ms": elapsed}
        return outcome
    if expires is not None:
        days = (expires - datetime.now(UTC)).total_seconds() / 86400
        if days < 0:
            outcome.ok = False
            outcome.message = _("The certificate expired on %(date)s") % {
                "date": expires.date().isoformat()
            }
        elif days < spec.tls_warning_days:
            outcome.ok = False
            outcome.message = _("The certificate expires in %(days)s days") % {"days": int(days)}
    return outcome


async def _tcp(spec: Spec) -> Outcome:
    started = time.perf_counter()
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(spec.host, spec.port), timeout=spec.timeout
        )
    except TimeoutError:
        return Outcome(False, _("Timed out after %(s)s s") % {"s": spec.timeout})
    except OSError as exc:
        return Outcome(False, _short(exc.strerror or str(exc)))
    elapsed = int((time.perf_counter() - started) * 1000)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return Outcome(True, "", elapsed)


async def _dns(spec: Spec) -> Outcome:
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    try:
        answers = await asyncio.wait_for(
            loop.getaddrinfo(spec.host, None, type=socket.SOCK_STREAM), timeout=spec.timeout
        )
    except TimeoutError:
        return Outcome(False, _("Timed out after %(s)s s") % {"s": spec.timeout})
    except OSError as exc:
        return Outcome(False, _short(exc.strerror or str(exc)))
    elapsed = int((time.perf_counter() - started) * 1000)
    addresses = sorted({answer[4][0] for answer in answers})
    if spec.dns_expected and spec.dns_expected not in addresses:
        return Outcome(False, _short(", ".join(addresses)), elapsed)
    return Outcome(True, _short(", ".join(addresses)), elapsed)


async def _once(spec: Spec, clients) -> Outcome:
    if spec.kind == CheckKind.HTTP:
        return await _http(spec, clients)
    if spec.kind == CheckKind.TCP:
        return await _tcp(spec)
    if spec.kind == CheckKind.DNS:
        return await _dns(spec)
    return Outcome(False, f"not an asyncio probe: {spec.kind}")


async def _probe(spec: Spec, clients, gate: asyncio.Semaphore) -> Outcome:
    async with gate:
        outcome = await _once(spec, clients)
        for _attempt in range(spec.retries):
            if outcome.ok:
                break
            outcome = await _once(spec, clients)
        return outcome


async def _probe_all(specs: list[Spec], concurrency: int) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"User-Agent": "MOL-Portal-Monitor/1.0"}
    async with (
        httpx.AsyncClient(verify=True, limits=limits, headers=headers) as verifying,
        httpx.AsyncClient(verify=False, limits=limits, headers=headers) as lenient,  # noqa: S501
    ):
        clients = {True: verifying, False: lenient}
        return await asyncio.gather(*(_probe(spec, clients, gate) for spec in specs))


def probe_all(specs: list[Spec], *, concurrency: int = 100) -> list[Outcome]:
    """Run every spec concurrently (at most ``concurrency`` at once); outcomes in order."""
    if not specs:
        return []
    return asyncio.run(_probe_all(specs, concurrency))
