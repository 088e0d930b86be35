"""The portal's WSGI application sends ``/ping/…`` to the lean handler of ``monitoring.wsgi_ping``
(no middleware stack) and every other path to Django: the same answers as the Django view, called
as a WSGI callable and over HTTP through a live server running the project's application."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connections
from django.test.client import RequestFactory

from mol_portal.wsgi import application as portal_application
from monitoring.choices import CheckKind, CheckState, PingKind
from monitoring.models import Ping

MISSING = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def beat(make_check):
    return make_check(
        name="nightly export", kind=CheckKind.HEARTBEAT, period_seconds=3600, grace_seconds=600
    )


def call(path, method="GET", body=b""):
    """One request to the project's WSGI callable: (status line, headers, body)."""
    environ = RequestFactory().generic(method, path, data=body, content_type="text/plain").environ
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=dict(headers))

    content = b"".join(portal_application(environ, start_response))
    return seen["status"], seen["headers"], content


def recorded(check):
    pings = Ping.objects.filter(check_ref=check).order_by("at", "pk")
    return list(pings.values_list("kind", "body"))


@pytest.fixture
def no_connection_closing(monkeypatch):
    # The test's own transaction holds the connection: per-request closing is gunicorn's.
    monkeypatch.setattr("monitoring.wsgi_ping.close_old_connections", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_connection_closing")
class TestTheProjectApplication:
    def test_pings_are_answered_without_the_middleware_stack(self, beat, monkeypatch):
        # Django's handler must not be reached for a ping.
        def refuse(*args, **kwargs):
            raise AssertionError("the Django handler answered a ping")

        monkeypatch.setattr("django.core.handlers.wsgi.WSGIHandler.__call__", refuse)
        status, headers, content = call(f"/ping/{beat.uuid}")
        assert (status, content) == ("200 OK", b"OK")
        assert headers["Cache-Control"].startswith("no-cache")

    def test_get_post_start_and_fail_record_like_the_view(self, beat):
        assert call(f"/ping/{beat.uuid}/start")[0] == "200 OK"
        assert call(f"/ping/{beat.uuid}", "POST", b"12 files")[0] == "200 OK"
        assert call(f"/ping/{beat.uuid}/fail", "POST", b"disk full")[0] == "200 OK"
        assert recorded(beat) == [
            (PingKind.START, ""),
            (PingKind.SUCCESS, "12 files"),
            (PingKind.FAIL, "disk full"),
        ]
        beat.refresh_from_db()
        assert beat.state == CheckState.DOWN

    @pytest.mark.parametrize(
        "path",
        [
            f"/ping/{MISSING}",
            "/ping/not-a-uuid",
            "/ping/0123456789abcdef0123456789abcdef----",
            "/ping/{uuid}/",
            "/ping/{uuid}/other",
            "/ping/{UUID}",
        ],
    )
    def test_what_the_view_refuses_is_refused(self, beat, client, path):
        path = path.format(uuid=beat.uuid, UUID=str(beat.uuid).upper())
        assert call(path)[0].startswith("404")
        assert client.get(path).status_code == 404
        assert not Ping.objects.exists()

    def test_other_methods_are_not_allowed_as_by_the_view(self, beat, client):
        status, headers, _ = call(f"/ping/{beat.uuid}", "PUT")
        assert status.startswith("405")
        assert headers["Allow"] == client.put(f"/ping/{beat.uuid}").headers["Allow"]

    def test_head_answers_with_no_body(self, beat):
        status, _, content = call(f"/ping/{beat.uuid}", "HEAD")
        assert (status, content) == ("200 OK", b"")

    def test_every_other_path_goes_to_django(self):
        status, headers, _ = call("/monitoring/")
        assert status.startswith("302")
        assert "login" in headers["Location"]
        assert call("/pingx/")[0].startswith("404")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def portal_server(db, no_connection_closing):
    """The project's WSGI application on a loopback port, in a thread that shares the test's
    connection (as Django's live server does for SQLite in memory): the test's transaction is
    seen by the server and rolled back after it. Requests are made one at a time."""
    shared = connections["default"]
    shared.inc_thread_sharing()
    server = make_server(
        "127.0.0.1", 0, portal_application, server_class=WSGIServer, handler_class=QuietHandler
    )

    def serve():
        connections["default"] = shared
        server.serve_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    shared.dec_thread_sharing()


def fetch(url, data=None):
    try:
        request = urllib.request.Request(url, data=data)  # noqa: S310 - a loopback http URL
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_pings_over_http_through_the_project_application(beat, portal_server):
    assert fetch(f"{portal_server}/ping/{beat.uuid}") == (200, b"OK")
    assert fetch(f"{portal_server}/ping/{beat.uuid}/fail", data=b"exit 3") == (200, b"OK")
    assert fetch(f"{portal_server}/ping/{MISSING}")[0] == 404
    assert fetch(f"{portal_server}/ping/{beat.uuid}/other")[0] == 404
    assert recorded(beat) == [(PingKind.SUCCESS, ""), (PingKind.FAIL, "exit 3")]
    beat.refresh_from_db()
    assert beat.state == CheckState.DOWN
