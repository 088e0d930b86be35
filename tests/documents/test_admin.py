import datetime

import pytest
from django.urls import reverse

from documents.choices import ChainStatus, DocumentStatus
from documents.models import (
    Attachment,
    ChainTemplate,
    Delegation,
    Document,
    DocumentSeries,
    SignOffAction,
    SignOffChain,
    SignOffReminder,
    SignOffStep,
)
from tests.accounts.mfa_support import force_login_verified

from .factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Document,
    DocumentSeries,
    ChainTemplate,
    SignOffChain,
    SignOffStep,
    SignOffAction,
    Delegation,
    Attachment,
    SignOffReminder,
]


@pytest.fixture
def admin_client(client):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    force_login_verified(client, boss)
    return client


def url(model, view, *args):
    return reverse(f"admin:documents_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_working_changelist(admin_client, model, document, start, signer_a):
    start(document, [(1, signer_a)])
    response = admin_client.get(url(model, "changelist"), {"q": "勞動"})
    assert response.status_code == 200


def test_document_change_page_goes_through_the_service(admin_client, document):
    page = admin_client.get(url(Document, "change", document.pk))
    assert page.status_code == 200
    response = admin_client.post(
        url(Document, "change", document.pk),
        {
            "subject": "修正後主旨",
            "sender": "",
            "receiver": "",
            "category": "memo",
            "security_level": "ordinary",
            "description": "",
            "deadline": "",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "signoff_chains-TOTAL_FORMS": "0",
            "signoff_chains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    document.refresh_from_db()
    assert document.subject == "修正後主旨"


def test_close_action_calls_the_service(admin_client):
    document = DocumentFactory()
    response = admin_client.post(
        url(Document, "changelist"),
        {"action": "close_documents", "_selected_action": [document.pk]},
    )
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.CLOSED


def test_cancel_action_calls_the_service(admin_client, document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    admin_client.post(
        url(SignOffChain, "changelist"),
        {"action": "cancel_chains", "_selected_action": [chain.pk]},
    )
    assert SignOffChain.objects.get(pk=chain.pk).status == ChainStatus.CANCELLED


def test_delegation_added_in_the_admin_is_validated(admin_client, signer_a, signer_b):
    response = admin_client.post(
        url(Delegation, "add"),
        {
            "delegator": signer_a.pk,
            "delegate": signer_b.pk,
            "start_date": "2026-05-08",
            "end_date": "2026-05-04",
            "reason": "休假",
        },
    )
    assert response.status_code == 200  # the form comes back with the error
    assert not Delegation.objects.exists()
    admin_client.post(
        url(Delegation, "add"),
        {
            "delegator": signer_a.pk,
            "delegate": signer_b.pk,
            "start_date": "2026-05-04",
            "end_date": "2026-05-08",
            "reason": "休假",
        },
    )
    delegation = Delegation.objects.get()
    assert delegation.end_date == datetime.date(2026, 5, 8)
    admin_client.post(
        url(Delegation, "changelist"),
        {"action": "revoke", "_selected_action": [delegation.pk]},
    )
    assert Delegation.objects.get().revoked_at is not None
