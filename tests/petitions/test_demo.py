import pytest
from django.core import mail
from django.core.management import call_command

from accounts import authz
from accounts.models import User
from core.models import Organization
from petitions import roles
from petitions.models import Category, Petition, RoutingRule

# serialized_rollback: each test starts with the reference data of the migrations (units,
# counties) that the demo routes its cases to, whatever ran before it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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
    # Demo staff hold petitions roles: a handler sees the cases of the unit, not others.
    handler = User.objects.get(username="huang.shufen")
    assert authz.has_role(handler, roles.HANDLER, Organization.objects.get(code="DLSEE"))
    assert not authz.has_role(handler, roles.HANDLER, Organization.objects.get(code="DLR"))
    supervisor = User.objects.get(username="lin.meihua")
    assert authz.has_role(supervisor, roles.SUPERVISOR, Organization.objects.get(code="DLSEE"))
    mine = Petition.objects.filter(handling_unit__code="DLSEE")
    assert mine.exists()
    assert set(Petition.objects.visible_to(handler)) == set(mine)


def test_demo_units_have_a_head_to_sign_off_replies(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    head = User.objects.get(username="lin.meihua")
    for code in ("DLR", "DLSEE"):
        assert authz.unit_head(Organization.objects.get(code=code)) == head
    call_command("seed_demo")  # idempotent
    assert authz.unit_head(Organization.objects.get(code="DLR")) == head
