"""The plain WSGI entry (``monitoring.wsgi_ping.application``): a steady success ping answered
from the environ in one statement, without Django's request or response objects; everything
else handed to the full path with its body. Both give the same status line, headers and body,
and the same as the Django view through the test client."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from mol_portal.wsgi import application as portal_application
from monitoring import wsgi_ping
from monitoring.choices import CheckKind, CheckState, PingKind
from monitoring.models import Check, Ping

MISSING = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def beat(make_check):
    check = make_check(
        name="nightly export", kind=CheckKind.HEARTBEAT, period_seconds=3600, grace_seconds=600
    )
    Check.objects.filter(pk=check.pk).update(state=CheckState.UP)
    check.refresh_from_db()
    return check


def call(app, path, method="GET", body=b"", **extra):
    """(status line, header list, body) of one request to the WSGI callable ``app``."""
    environ = RequestFactory().generic(method, path, data=body, content_type="text/plain").environ
    environ["REMOTE_ADDR"] = "192.0.2.7"
    environ.update(extra)
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=list(headers))

    content = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], content


def recorded(check):
    pings = Ping.objects.filter(check_ref=check).order_by("at", "pk")
    return list(pings.values_list("kind", "body", "remote_addr"))


@pytest.fixture
def no_django_request(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a Django request object was made for a steady ping")

    monkeypatch.setattr("monitoring.wsgi_ping.WSGIRequest", refuse)
    monkeypatch.setattr("django.core.handlers.wsgi.WSGIHandler.__call__", refuse)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
class TestOnPostgreSQL:
    def test_a_steady_ping_is_one_statement_without_a_request_object(self, beat, monkeypatch):
        call(wsgi_ping.application, f"/ping/{beat.uuid}")  # warm: the connection is open
        monkeypatch.setattr("monitoring.wsgi_ping.WSGIRequest", None)
        with CaptureQueriesContext(connection) as queries:
            answer = call(wsgi_ping.application, f"/ping/{beat.uuid}", "POST", b"12 files")
        assert answer[0] == "200 OK" and answer[2] == b"OK"
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert recorded(beat)[-1] == (PingKind.SUCCESS, "12 files", "192.0.2.7")

    @pytest.mark.usefixtures("no_django_request")
    def test_the_project_application_answers_steady_pings_plainly(self, beat):
        status, headers, content = call(portal_application, f"/ping/{beat.uuid}")
        assert (status, content) == ("200 OK", b"OK")
        assert dict(headers)["Cache-Control"] == "no-cache, no-store, must-revalidate, private"
        assert len(recorded(beat)) == 1

    @pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
    def test_a_steady_answer_is_the_full_paths_answer(self, beat, method):
        plain = call(wsgi_ping.application, f"/ping/{beat.uuid}", method, b"x")
        full = call(wsgi_ping.full_application, f"/ping/{beat.uuid}", method, b"x")
        assert plain == full
        assert [kind for kind, *_ in recorded(beat)] == [PingKind.SUCCESS] * 2

    def test_a_steady_answer_is_the_django_views_answer(self, beat, client):
        status, headers, content = call(wsgi_ping.application, f"/ping/{beat.uuid}")
        view = client.get(f"/ping/{beat.uuid}")
        assert int(status.split()[0]) == view.status_code and content == view.content
        assert dict(headers)["Content-Type"] == view["Content-Type"]
        for name in ("no-cache", "no-store", "must-revalidate", "private"):
            assert name in dict(headers)["Cache-Control"] and name in view["Cache-Control"]
        assert len(recorded(beat)) == 2

    @pytest.mark.parametrize(
        ("change", "path", "method"),
        [
            ({"state": CheckState.DOWN}, "/ping/{uuid}", "POST"),
            ({"state": CheckState.LATE}, "/ping/{uuid}", "GET"),
            ({"expected_pings": 2}, "/ping/{uuid}", "POST"),
            ({"enabled": False}, "/ping/{uuid}", "GET"),
            ({}, "/ping/{uuid}/fail", "POST"),
            ({}, "/ping/{uuid}/start", "GET"),
            ({}, f"/ping/{MISSING}", "GET"),
            ({}, "/ping/{UUID}", "GET"),
            ({}, "/ping/{uuid}/", "GET"),
            ({}, "/ping/{uuid}", "PUT"),
        ],
    )
    def test_anything_else_takes_the_full_path_with_its_body(
        self, make_check, beat, change, path, method
    ):
        twin = make_check(name="twin", kind=CheckKind.HEARTBEAT, period_seconds=3600)
        for check in (beat, twin):
            Check.objects.filter(pk=check.pk).update(**{"state": CheckState.UP, **change})
        plain = call(
            wsgi_ping.application,
            path.format(uuid=beat.uuid, UUID=str(beat.uuid).upper()),
            method,
            b"exit 3",
        )
        full = call(
            wsgi_ping.full_application,
            path.format(uuid=twin.uuid, UUID=str(twin.uuid).upper()),
            method,
            b"exit 3",
        )
        assert plain == full
        assert recorded(beat) == recorded(twin)
        beat.refresh_from_db()
        twin.refresh_from_db()
        assert (beat.state, beat.last_message) == (twin.state, twin.last_message)

    def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(self, beat, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.4"}
        call(wsgi_ping.application, f"/ping/{beat.uuid}", REMOTE_ADDR="10.0.0.2", **forwarded)
        call(wsgi_ping.application, f"/ping/{beat.uuid}", REMOTE_ADDR="203.0.113.9", **forwarded)
        assert [addr for *_, addr in recorded(beat)] == ["198.51.100.4", "203.0.113.9"]

    def test_a_body_past_the_upload_limit_is_refused_as_by_the_full_path(self, beat, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
        for app in (wsgi_ping.application, wsgi_ping.full_application):
            with pytest.raises(RequestDataTooBig):  # the server's 500, on both paths
                call(app, f"/ping/{beat.uuid}", "POST", b"x" * 11)
        assert recorded(beat) == []

    def test_a_long_body_is_cut_as_by_the_view(self, beat):
        call(wsgi_ping.application, f"/ping/{beat.uuid}", "POST", "é".encode() * 6000)
        body = recorded(beat)[0][1]
        assert body == ("é".encode() * 6000)[:10_000].decode("utf-8", "replace")

    def test_a_dead_connection_answers_503_like_the_full_path(self, beat):
        call(wsgi_ping.application, f"/ping/{beat.uuid}")
        connection.connection.close()
        plain = call(wsgi_ping.application, f"/ping/{beat.uuid}")
        assert plain[0].startswith("503") and b"try again" in plain[2]
        assert call(wsgi_ping.application, f"/ping/{beat.uuid}")[0] == "200 OK"
        connection.connection.close()
        assert call(wsgi_ping.full_application, f"/ping/{beat.uuid}") == plain


@pytest.fixture
def no_connection_closing(monkeypatch):
    # The test's own transaction holds the connection: per-request closing is gunicorn's.
    monkeypatch.setattr("monitoring.wsgi_ping.close_old_connections", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_connection_closing")
def test_inside_a_transaction_or_on_sqlite_the_plain_entry_hands_pings_on(beat, client):
    # The test's transaction (or SQLite) keeps the single statement out: the full path answers,
    # with the same answer as the view through the test client.
    plain = call(wsgi_ping.application, f"/ping/{beat.uuid}", "POST", b"12 files")
    view = client.post(f"/ping/{beat.uuid}", b"12 files", content_type="text/plain")
    assert (plain[0], plain[2]) == ("200 OK", view.content) and view.status_code == 200
    assert [(kind, body) for kind, body, _ in recorded(beat)] == [
        (PingKind.SUCCESS, "12 files"),
        (PingKind.SUCCESS, "12 files"),
    ]
    missing = call(wsgi_ping.application, f"/ping/{MISSING}")
    assert missing[0].startswith("404") and client.get(f"/ping/{MISSING}").status_code == 404
