"""The database connection dies while a citizen sends the form (issue 8 item 30): the
submission is tried once more on a new connection; when that fails too, the form comes back
(503) with everything the citizen typed. Simulated by a failing statement inside the
submission's transaction, and on PostgreSQL by terminating the request's own backend."""

import psycopg
import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from petitions.models import Petition
from petitions.services import abuse, cases

from .factories import CategoryFactory, county

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BODY = "雇主三個月未給付加班費，工時紀錄都在，請協助處理。"


@pytest.fixture
def data():
    return {
        "name": "林小姐",
        "email": "lin@example.com",
        "phone": "0912-345-678",
        "subject": "加班費未給付",
        "category": CategoryFactory().pk,
        "county": county().pk,
        "body": BODY,
        "consent": "on",
        "website": "",
        "form_token": "tok-" + "x" * 30,
    }


def failing(times: int, error=OperationalError):
    calls = {"n": 0}
    real = cases.public_attachments_save

    def save(**kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise error("server closed the connection unexpectedly")
        return real(**kwargs)

    return save, calls


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_connection_lost_once_is_retried(data, monkeypatch, error):
    save, calls = failing(1, error)
    monkeypatch.setattr(cases, "public_attachments_save", save)
    response = Client().post(reverse("petitions:submit"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:submitted")
    assert calls["n"] == 2
    assert Petition.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_connection_lost_twice_gives_the_form_back_with_the_text(data, monkeypatch):
    save, calls = failing(2)
    monkeypatch.setattr(cases, "public_attachments_save", save)
    response = Client().post(reverse("petitions:submit"), data)
    assert response.status_code == 503
    html = response.content.decode()
    for typed in ("林小姐", "lin@example.com", "0912-345-678", "加班費未給付", BODY):
        assert typed in html
    assert 'value="tok-' in html  # the same form token: sending again stays idempotent
    assert 'role="alert"' in html
    assert Petition.objects.count() == 0 and mail.outbox == []


@pytest.mark.postgres_only
def test_a_terminated_backend_is_retried_on_postgresql(needs_postgres, data, monkeypatch):
    """The request's own PostgreSQL backend is terminated from another connection just
    before its first statement after the checks; the submission succeeds on a new one."""
    real = abuse.similar_petition
    calls = {"n": 0}

    def terminate_then_query(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            pid = connection.connection.info.backend_pid
            params = connection.get_connection_params()
            with psycopg.connect(**params, autocommit=True) as other:
                other.execute("select pg_terminate_backend(%s)", [pid])
        return real(**kwargs)

    monkeypatch.setattr(abuse, "similar_petition", terminate_then_query)
    response = Client().post(reverse("petitions:submit"), data)
    assert response.status_code == 302
    assert calls["n"] == 2
    assert Petition.objects.filter(citizen_email="lin@example.com").count() == 1
