"""A lean WSGI application that answers only the heartbeat pings, for a high ping rate.

The portal's own WSGI application runs every request through the whole middleware stack
(sessions, lockout, second factor, language, CSP, audit context…), which costs several times the
ping itself. Pings need none of it: no session, no login, no page. Served by a gunicorn of its
own (same image and environment as ``web``) with the reverse proxy sending ``/ping/`` to it::

    gunicorn monitoring.wsgi_ping:application --bind 0.0.0.0:8001 --workers 2

The portal's own application (``mol_portal.wsgi``) also sends every ``/ping/`` path here
(``dispatch``), so the ping rate holds without a second gunicorn or a proxy rule.

It answers exactly what ``/ping/<uuid>[/start|/fail]`` of the portal answers (the same view
functions, minus the decorators' middleware-free parts), 404 for any other path, and trusts
forwarded headers only from ``TRUSTED_PROXIES`` (``core.http``), like the portal.

Two entries, one behaviour:

- ``application``, the plain one: a success ping (``/ping/<uuid>``, GET, HEAD or POST) is
  answered straight from the WSGI environ, without Django's request or response objects, by
  the single statement ``heartbeats.ping_record_steady``. Anything that statement does not take
  (an unknown key, a check that is not up, several pings expected, a paused check, SQLite, a
  signal, a body Django would refuse, another method or path) goes on to ``full_application``
  with the body it sent.
- ``full_application``: a ``WSGIRequest`` through ``views.ping.ping_response``, the same code
  as the Django view.

Both answer with the same status lines, headers and bodies (``tests/monitoring/
test_ping_plain.py`` compares them).
"""

from __future__ import annotations

import io
import os
import re
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.db import (  # noqa: E402
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)
from django.http import HttpResponse  # noqa: E402

from core.http import client_ip, strip_untrusted_forwarded_headers  # noqa: E402

from .choices import PingKind  # noqa: E402
from .constants import PING_BODY_BYTES  # noqa: E402
from .services.heartbeats import ping_record_steady  # noqa: E402
from .views.ping import ping_response  # noqa: E402

#: The same paths as ``urls_ping`` (Django's ``uuid`` converter: lower-case, hyphenated).
PATH = re.compile(
    r"/ping/(?P<key>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"(?:/(?P<signal>start|fail))?"
)
#: A success ping: the only path the plain entry answers itself.
SUCCESS_PATH = re.compile(
    r"/ping/(?P<key>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
PREFIX = "/ping/"
CACHE_CONTROL = ("Cache-Control", "no-cache, no-store, must-revalidate, private")
#: What ``full_application`` answers to a recorded ping and when the database is gone.
OK = ("200 OK", [("Content-Type", "text/plain"), CACHE_CONTROL], b"OK")
UNAVAILABLE = (
    "503 Service Unavailable",
    [("Content-Type", "text/plain"), ("Retry-After", "1"), CACHE_CONTROL],
    b"database unavailable, try again",
)
SIGNALS = {None: PingKind.SUCCESS, "start": PingKind.START, "fail": PingKind.FAIL}


def _answer(request) -> HttpResponse:
    match = PATH.fullmatch(request.path_info)
    if match is None:
        return HttpResponse("not found", status=404, content_type="text/plain")
    if request.method not in ("GET", "POST", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST, HEAD"})
    try:
        key = uuid.UUID(match["key"])
    except ValueError:
        return HttpResponse("not found", status=404, content_type="text/plain")
    return ping_response(request, key, SIGNALS[match["signal"]])


def full_application(environ, start_response):
    # The ping's own statement is the connection's health check: Django's (CONN_HEALTH_CHECKS)
    # would add a ``SELECT 1`` round trip to every ping. A connection that died meanwhile
    # fails that statement: it is closed and the ping answered 503, which the job's retry
    # (curl --retry) repeats on a fresh connection. Afterwards, as in every Django request, a
    # connection past its age or in error is closed (``close_old_connections``).
    try:
        request = WSGIRequest(environ)
        strip_untrusted_forwarded_headers(request)
        try:
            response = _answer(request)
        except (OperationalError, InterfaceError):
            connection.close()
            response = HttpResponse(
                "database unavailable, try again", status=503, content_type="text/plain"
            )
            response["Retry-After"] = "1"
        response["Cache-Control"] = "no-cache, no-store, must-revalidate, private"
    finally:
        close_old_connections()
        if connection.connection is not None:
            connection.health_check_done = True  # see above: no SELECT 1 before the next ping
    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
    return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.content]


class _Meta:
    """What ``core.http.client_ip`` reads of a request: its ``META`` (here the environ)."""

    __slots__ = ("META",)

    def __init__(self, environ):
        self.META = environ


def _body(environ) -> bytes | None:
    """The body as Django's ``request.body`` reads it (``CONTENT_LENGTH`` bytes, none when the
    length is missing or not a number); None when Django would refuse it (past
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``), which the full path then answers."""
    try:
        length = max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return None
    return environ["wsgi.input"].read(length) if length else b""


def application(environ, start_response):
    """The plain entry: a steady success ping in one statement, anything else to
    ``full_application`` (see the module's docstring)."""
    method = environ.get("REQUEST_METHOD", "")
    match = SUCCESS_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or method not in ("GET", "HEAD", "POST"):
        return full_application(environ, start_response)
    raw = b""
    if method == "POST":
        raw = _body(environ)
        if raw is None:
            return full_application(environ, start_response)
    answer = None
    try:
        if ping_record_steady(
            key=uuid.UUID(match["key"]),
            body=raw[:PING_BODY_BYTES].decode("utf-8", "replace"),
            remote_addr=client_ip(_Meta(environ)),
        ):
            answer = OK
    except (OperationalError, InterfaceError):
        connection.close()
        answer = UNAVAILABLE
    finally:
        close_old_connections()
        if connection.connection is not None:
            connection.health_check_done = True  # as in full_application
    if answer is None:
        if raw:
            environ["wsgi.input"] = io.BytesIO(raw)
        return full_application(environ, start_response)
    status, headers, content = answer
    start_response(status, list(headers))
    return [b"" if method == "HEAD" else content]


def dispatch(django_application):
    """Wrap the portal's WSGI application: ``/ping/…`` paths are answered here, every other
    path by ``django_application`` unchanged."""

    def portal(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return application(environ, start_response)
        return django_application(environ, start_response)

    return portal
