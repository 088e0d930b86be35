"""A reply is signed off by someone other than its author (issue 8 item 13): the chain comes
from the chain template of purpose ``petitions.reply`` (seeded: the head of the case's unit),
the author is never offered or accepted as a signer, and cannot approve a step of their own
reply even when a role, a delegation or a forward would let them. Signers are accepted only
from the selector that built the form (item 12)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, UnitOfficer
from core.models import Organization
from documents.choices import StepStatus
from documents.models import ChainTemplate
from documents.services import delegation_create, signoff_approve, signoff_forward
from petitions import roles
from petitions.choices import PetitionStatus
from petitions.constants import REPLY_PURPOSE
from petitions.services import cases

from .factories import PetitionFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def unit():
    return Organization.objects.get(code="IM")


@pytest.fixture
def author(owner):
    grant(owner, roles.HANDLER, "IM")
    return owner


@pytest.fixture
def head(make_user, unit):
    person = make_user(username="im-head")
    UnitOfficer.objects.create(unit=unit, user=person, kind="head")
    return person


@pytest.fixture
def case(unit):
    return PetitionFactory(handling_unit=unit, deadline=dt.date(2026, 3, 2))


def chain_of(case):
    case.refresh_from_db()
    return case.document.signoff_chains.get()


def pending(case):
    return chain_of(case).steps.get(status=StepStatus.PENDING)


def test_the_seeded_template_is_the_head_of_the_cases_unit():
    template = ChainTemplate.objects.get(purpose=REPLY_PURPOSE, is_active=True)
    assert [(s.order, s.kind, s.unit_id) for s in template.steps.all()] == [(1, "unit_head", None)]


def test_without_chosen_signers_the_head_of_the_cases_unit_signs_off(author, head, case):
    cases.reply_submit(petition=case, text="您好，已函請雇主改善。", actor=author)
    steps = list(chain_of(case).steps.all())
    assert [s.assignee for s in steps] == [head]
    signoff_approve(step=steps[0], actor=head)
    case.refresh_from_db()
    assert case.status == PetitionStatus.ANSWERED


def test_a_head_who_wrote_the_reply_goes_to_the_head_above(make_user, unit, case):
    writer = make_user(username="writer-head")
    grant(writer, roles.HANDLER, "IM")
    UnitOfficer.objects.create(unit=unit, user=writer, kind="head")
    above = make_user(username="above-head", organization=unit.parent)
    UnitOfficer.objects.create(unit=unit.parent, user=above, kind="head")
    cases.reply_submit(petition=case, text="答復", actor=writer)
    assert [s.assignee for s in chain_of(case).steps.all()] == [above]


def test_the_author_cannot_be_the_only_signer(author, case, unit):
    """No head anywhere above the unit and the author names themselves: refused."""
    UnitOfficer.objects.filter(unit__in=[unit, unit.parent]).delete()
    with pytest.raises(ValidationError) as err:
        cases.reply_submit(petition=case, text="答復", signers=[author], actor=author)
    assert "signers" in err.value.message_dict
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED and not case.reply_text


def test_the_author_is_neither_offered_nor_accepted_as_a_signer(client, author, head, case):
    client.force_login(author)
    page = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    offered = set(page.context["forms"]["reply"].fields["signers"].queryset)
    assert author not in offered and head in offered
    version = page.context["forms"]["reply"]["version"].value()
    response = client.post(
        reverse("petitions:staff:reply", args=[case.pk]),
        {"reply-text": "答復", "reply-signers": [author.pk], "reply-version": version},
    )
    assert response.status_code == 400
    assert 'id="id_reply-signers_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED


def test_a_signer_from_another_unit_is_refused_by_the_form_and_the_service(
    client, author, head, case, outsider
):
    grant(outsider, roles.HANDLER, "BLI")
    client.force_login(author)
    page = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    assert outsider not in set(page.context["forms"]["reply"].fields["signers"].queryset)
    response = client.post(
        reverse("petitions:staff:reply", args=[case.pk]),
        {
            "reply-text": "答復",
            "reply-signers": [outsider.pk],
            "reply-version": page.context["forms"]["reply"]["version"].value(),
        },
    )
    assert response.status_code == 400
    assert 'id="id_reply-signers_error"' in response.content.decode()
    with pytest.raises(ValidationError) as err:
        cases.reply_submit(petition=case, text="答復", signers=[outsider], actor=author)
    assert "signers" in err.value.message_dict
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED and case.document_id is None
    # the outsider could never read the citizen's data
    client.force_login(outsider)
    assert client.get(reverse("petitions:staff:detail", args=[case.pk])).status_code == 404


def test_the_author_cannot_approve_a_role_step_of_their_own_reply(author, make_user, case):
    """A route of one role step (handlers of the unit): the author holds the role too, but only
    a colleague may approve."""
    template = ChainTemplate.objects.get(purpose=REPLY_PURPOSE)
    template.steps.update(kind="role", role=Role.objects.get(code=roles.HANDLER))
    colleague = make_user(username="colleague-handler")
    grant(colleague, roles.HANDLER, "IM")
    cases.reply_submit(petition=case, text="答復", actor=author)
    step = pending(case)
    with pytest.raises(PermissionDenied):
        signoff_approve(step=step, actor=author)
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING
    signoff_approve(step=step, actor=colleague)
    case.refresh_from_db()
    assert case.status == PetitionStatus.ANSWERED


def test_a_role_only_the_author_holds_is_refused(author, case):
    template = ChainTemplate.objects.get(purpose=REPLY_PURPOSE)
    template.steps.update(kind="role", role=Role.objects.get(code=roles.HANDLER))
    with pytest.raises(ValidationError) as err:
        cases.reply_submit(petition=case, text="答復", actor=author)
    assert "signers" in err.value.message_dict


def test_the_author_cannot_approve_by_delegation_or_forward(author, head, case, make_user):
    cases.reply_submit(petition=case, text="答復", actor=author)
    today = timezone.localdate()
    delegation_create(
        delegator=head,
        delegate=author,
        start_date=today,
        end_date=today + dt.timedelta(days=3),
        reason="公假",
        created_by=head,
    )
    with pytest.raises(PermissionDenied):
        signoff_approve(step=pending(case), actor=author)
    signoff_forward(step=pending(case), actor=head, to_user=author)
    with pytest.raises(PermissionDenied):
        signoff_approve(step=pending(case), actor=author)
    case.refresh_from_db()
    assert case.status == PetitionStatus.REPLIED


def test_the_author_gets_a_403_on_the_documents_approve_button(client, author, head, case):
    cases.reply_submit(petition=case, text="答復", actor=author)
    step = pending(case)
    signoff_forward(step=step, actor=head, to_user=author)
    step = pending(case)
    client.force_login(author)
    response = client.post(reverse("documents:approve", args=[step.chain_id, step.pk]), {})
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING
