"""A double click makes one case (issue 8 item 28): the form carries a one-time token; the
same form sent twice — one after the other or at the same instant — gives one petition and
one confirmation mail, and both answers lead to the "check your e-mail" page."""

import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from petitions.models import Petition
from petitions.services import abuse

from .factories import CategoryFactory, county


@pytest.fixture
def form_data():
    def make(category, **overrides):
        data = {
            "name": "林小姐",
            "email": "lin@example.com",
            "phone": "",
            "subject": "加班費未給付",
            "category": category.pk,
            "county": county().pk,
            "body": "雇主三個月未給付加班費，請協助。",
            "consent": "on",
            "website": "",
        }
        data.update(overrides)
        return data

    return make


def form_token(client) -> str:
    html = client.get(reverse("petitions:submit")).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_each_blank_form_has_a_new_token_kept_when_errors_come_back(client, form_data):
    first, second = form_token(client), form_token(client)
    assert first != second and len(first) >= 32
    category = CategoryFactory()
    response = client.post(
        reverse("petitions:submit"), form_data(category, consent="", form_token=first)
    )
    assert response.status_code == 400
    assert f'value="{first}"' in response.content.decode()


@pytest.mark.django_db
def test_the_same_form_sent_twice_makes_one_case(
    client, form_data, django_capture_on_commit_callbacks
):
    data = form_data(CategoryFactory(), form_token=form_token(client))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("petitions:submit"), data)
        assert response.status_code == 302
        assert response["Location"] == reverse("petitions:submitted")
    assert Petition.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_reused_token_with_another_text_is_another_petition(
    client, form_data, django_capture_on_commit_callbacks
):
    category = CategoryFactory()
    token = form_token(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("petitions:submit"), form_data(category, form_token=token))
        response = client.post(
            reverse("petitions:submit"),
            form_data(
                category,
                form_token=token,
                subject="職場霸凌",
                body="主管長期以言語羞辱員工，請派員調查。",
            ),
        )
    assert response.status_code == 302
    assert Petition.objects.count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_make_one_case(needs_postgres, form_data, monkeypatch):
    """Both requests pass the near-duplicate check before either saves (a barrier holds each
    one right after its check); the unique submission key lets only one INSERT through."""
    category = CategoryFactory()
    data = form_data(category, form_token=form_token(Client()))
    barrier = threading.Barrier(2, timeout=20)
    original = abuse.similar_petition

    def similar_then_wait(**kwargs):
        found = original(**kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(abuse, "similar_petition", similar_then_wait)
    results = []

    def post():
        try:
            response = Client().post(reverse("petitions:submit"), data)
            results.append((response.status_code, response.get("Location")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [(302, reverse("petitions:submitted"))] * 2
    assert Petition.objects.filter(citizen_email="lin@example.com").count() == 1
    assert len(mail.outbox) == 1
