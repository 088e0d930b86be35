import pytest
from django.core.management import call_command

from accounts.models import User
from documents.choices import DocumentStatus
from documents.models import Document, SignOffAction
from documents.selectors import pending_steps_for

pytestmark = pytest.mark.django_db


def test_demo_documents_load_once(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    first = (Document.objects.count(), SignOffAction.objects.count())
    call_command("seed_demo")
    assert (Document.objects.count(), SignOffAction.objects.count()) == first
    # Other apps' demo data register documents too (procurement requests); these are demo-n.
    statuses = dict(
        Document.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", "status"
        )
    )
    assert statuses == {
        "demo-1": DocumentStatus.IN_SIGNOFF,
        "demo-2": DocumentStatus.IN_SIGNOFF,
        "demo-3": DocumentStatus.APPROVED,
        "demo-4": DocumentStatus.RETURNED,
        "demo-5": DocumentStatus.REGISTERED,
    }


def test_demo_delegate_sees_the_overdue_document(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    lee = User.objects.get(username="lee.zhiwei")
    # Other apps' demo chains (a leave request...) may wait for lee too; these are documents.
    subjects = [
        s.chain.document.external_id
        for s in pending_steps_for(lee)
        if s.chain.document and s.chain.document.external_id
    ]
    assert subjects == ["demo-2"]
