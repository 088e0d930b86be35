"""Every id posted in a staff form is accepted only from the selector that built its choices
(issue 8 item 12), checked with a person or case of another unit: assigning a handler,
merging into a case, attaching queued mail to a case. (Reply signers: test_reply_signoff.py;
the documents register form's unit: tests/documents/test_register_input.py.)"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import Organization
from petitions import roles
from petitions.choices import PetitionStatus
from petitions.models import InboundMessage, InboundState
from petitions.services import cases, intake

from .factories import PetitionFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def case(owner):
    grant(owner, roles.HANDLER, "IM")
    return PetitionFactory(handling_unit=Organization.objects.get(code="IM"))


def version(client, case):
    page = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    return page.context["forms"]["note"]["version"].value()


def test_a_handler_of_another_unit_cannot_be_assigned(client, owner, outsider, case):
    grant(outsider, roles.HANDLER, "BLI")
    client.force_login(owner)
    page = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    assert outsider not in set(page.context["forms"]["assign"].fields["handler"].queryset)
    response = client.post(
        reverse("petitions:staff:assign", args=[case.pk]),
        {"assign-handler": outsider.pk, "assign-version": version(client, case)},
    )
    assert response.status_code == 400
    assert 'id="id_assign-handler_error"' in response.content.decode()
    with pytest.raises(ValidationError) as err:
        cases.petition_assign(petition=case, handler=outsider, actor=owner)
    assert "handler" in err.value.message_dict
    case.refresh_from_db()
    assert case.handler is None and case.status == PetitionStatus.RECEIVED
    client.force_login(outsider)
    assert client.get(reverse("petitions:staff:detail", args=[case.pk])).status_code == 404


def test_a_case_of_another_unit_is_no_merge_target(client, owner, case):
    elsewhere = PetitionFactory(handling_unit=Organization.objects.get(code="BLI"))
    client.force_login(owner)
    response = client.post(
        reverse("petitions:staff:merge", args=[case.pk]),
        {"merge-into": elsewhere.case_number, "merge-version": version(client, case)},
    )
    assert response.status_code == 400
    assert 'id="id_merge-into_error"' in response.content.decode()
    with pytest.raises(PermissionDenied):
        cases.petition_merge(petition=case, into=elsewhere, actor=owner)
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED and case.merged_into is None


def test_queued_mail_is_attached_only_to_a_case_the_dispatcher_may_read(client, make_user, case):
    dispatcher = make_user(username="dispatcher")
    grant(dispatcher, roles.DISPATCHER)
    grant(dispatcher, roles.VIEWER, "IM")
    elsewhere = PetitionFactory(handling_unit=Organization.objects.get(code="BLI"))
    inbound = InboundMessage.objects.create(
        message_id="<orphan@example.com>", from_address="x@example.com", subject="Re: 加班費"
    )
    client.force_login(dispatcher)
    response = client.post(
        reverse("petitions:staff:queue_assign", args=[inbound.pk]),
        {f"m{inbound.pk}-case": elsewhere.case_number},
    )
    assert response.status_code == 400
    with pytest.raises(PermissionDenied):
        intake.inbound_assign(inbound=inbound, petition=elsewhere, actor=dispatcher)
    inbound.refresh_from_db()
    assert inbound.state == InboundState.UNMATCHED and inbound.petition is None
    response = client.post(
        reverse("petitions:staff:queue_assign", args=[inbound.pk]),
        {f"m{inbound.pk}-case": case.case_number},
    )
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.petition == case
