import pytest
from django.core import mail
from django.core.management import call_command

from petitions.models import Category, Petition, RoutingRule

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_cases_are_numbered_routed_registered_and_mail_nobody(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    cases = list(Petition.objects.all())
    assert len(cases) == 4
    assert all(p.case_number.startswith(f"{p.roc_year}-") for p in cases)
    assert all(p.document_id and p.handling_unit_id and p.deadline for p in cases)
    assert Category.objects.count() == RoutingRule.objects.count() == 8
    assert mail.outbox == []
    call_command("seed_demo")
    assert Petition.objects.count() == 4
