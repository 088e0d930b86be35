"""The page of an approval that has no official document (a leave request, a loan...)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from documents import services
from documents.choices import ChainStatus, StepStatus
from documents.models import SignOffChain, SignOffReminder
from notifications.models import Delivery

from .factories import UserFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def chain(originator, signer_a):
    item = UserFactory(username="loan-request-7")
    return services.signoff_start(
        target=item,
        subject="借用筆記型電腦",
        steps=[{"order": 1, "user": signer_a}],
        started_by=originator,
    )


def test_the_signer_sees_the_item_in_my_sign_offs_and_approves_it(signed_in, chain, signer_a):
    client = signed_in(signer_a)
    body = client.get(reverse("documents:pending")).content.decode()
    assert "借用筆記型電腦" in body
    assert chain.get_absolute_url() in body
    page = client.get(chain.get_absolute_url())
    assert page.status_code == 200
    step = chain.steps.get()
    assert reverse("documents:approve", args=[chain.pk, step.pk]) in page.content.decode()
    response = client.post(
        reverse("documents:approve", args=[chain.pk, step.pk]), {f"step{step.pk}-comment": "可"}
    )
    assert response.status_code == 302
    assert response["Location"] == chain.get_absolute_url()
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED


def test_a_return_without_comment_stays_on_the_chain_page_naming_the_field(
    signed_in, chain, signer_a
):
    step = chain.steps.get()
    response = signed_in(signer_a).post(
        reverse("documents:return", args=[chain.pk, step.pk]), {f"step{step.pk}-comment": " "}
    )
    assert response.status_code == 400
    assert f'id="id_step{step.pk}-comment_error"' in response.content.decode()
    assert chain.steps.get().status == StepStatus.PENDING


def test_an_outsider_cannot_see_or_act_on_the_chain(signed_in, chain):
    outsider = UserFactory(username="outsider", organization=unit("SEC"))
    client = signed_in(outsider)
    step = chain.steps.get()
    assert client.get(chain.get_absolute_url()).status_code == 404
    response = client.post(reverse("documents:approve", args=[chain.pk, step.pk]), {})
    assert response.status_code == 404
    assert chain.steps.get().status == StepStatus.PENDING


def test_the_originator_sees_it_and_may_cancel_it(signed_in, chain, originator):
    client = signed_in(originator)
    assert client.get(chain.get_absolute_url()).status_code == 200
    response = client.post(reverse("documents:cancel", args=[chain.pk]), {"reason": "不借了"})
    assert response.status_code == 302
    assert SignOffChain.objects.get(pk=chain.pk).status == ChainStatus.CANCELLED


def test_a_document_chain_page_redirects_to_the_document(signed_in, document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    response = signed_in(signer_a).get(reverse("documents:chain", args=[chain.pk]))
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()


def test_an_overdue_approval_without_document_is_reminded(
    originator, signer_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    item = UserFactory(username="repair-ticket-3")
    due = datetime.date(2026, 3, 2)
    chain = services.signoff_start(
        target=item,
        subject="印表機維修",
        deadline=due,
        steps=[{"order": 1, "user": signer_a}],
        started_by=originator,
    )
    [reminder_id] = services.signoff_reminders_prepare(day=due + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):  # the outbox relays after commit
        assert services.signoff_reminder_send(reminder_id=reminder_id) is True
    reminder = Delivery.objects.get(kind="documents.signoff_overdue")
    [message] = [m for m in mail.outbox if m.extra_headers["Message-ID"] == reminder.message_id]
    assert message.to == [signer_a.email]
    assert "印表機維修" in message.body
    assert chain.get_absolute_url() in message.body
    assert SignOffReminder.objects.get().sent_at is not None
