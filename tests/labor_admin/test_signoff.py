"""A transition marked "needs sign-off" goes through the kernel's approval engine
(documents.services.approval_start, purpose labor_admin.transition): the case waits, the
approver signs under My sign-offs, and the move happens when the chain is approved."""

import pytest
from django.core.exceptions import ValidationError

from documents.choices import StepStatus, TemplateStepKind
from documents.models import ChainTemplate, ChainTemplateStep, SignOffChain
from documents.services import signoff_approve, signoff_return
from labor_admin.constants import APPROVAL_PURPOSE
from labor_admin.models import CaseTransition
from labor_admin.services import case_transition

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(make_user):
    return make_user(username="section.chief")


@pytest.fixture
def template(approver):
    template = ChainTemplate.objects.create(
        code="labor-transition", purpose=APPROVAL_PURPOSE, name_zh="勞工行政案件結案核定"
    )
    ChainTemplateStep.objects.create(
        template=template, order=1, kind=TemplateStepKind.PERSON, user=approver
    )
    return template


def _scheduled_case(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    first = CaseTransition.objects.get(from_status=case.status, to_status__code="scheduled")
    case = case_transition(case=case, transition=first, actor=la_owner)
    settle = CaseTransition.objects.get(from_status=case.status, to_status__code="settled")
    CaseTransition.objects.filter(pk=settle.pk).update(requires_approval=True)
    settle.refresh_from_db()
    return case, settle


def test_the_move_waits_for_the_chain_and_happens_when_approved(
    la_owner, office, template, approver
):
    case, settle = _scheduled_case(la_owner, office)
    case = case_transition(case=case, transition=settle, actor=la_owner)
    assert case.status.code == "scheduled" and case.pending_transition == settle
    with pytest.raises(ValidationError):  # nothing else moves while it waits
        case_transition(case=case, transition=settle, actor=la_owner)
    chain = SignOffChain.objects.get(target_object_id=str(case.pk))
    step = chain.steps.get(status=StepStatus.PENDING)
    signoff_approve(step=step, actor=approver)
    case.refresh_from_db()
    assert case.status.code == "settled" and not case.is_open
    assert case.pending_transition is None


def test_a_returned_chain_leaves_the_case_where_it_was(la_owner, office, template, approver):
    case, settle = _scheduled_case(la_owner, office)
    case_transition(case=case, transition=settle, actor=la_owner)
    step = SignOffChain.objects.get(target_object_id=str(case.pk)).steps.get(
        status=StepStatus.PENDING
    )
    signoff_return(step=step, actor=approver, comment="金額有誤", to="originator")
    case.refresh_from_db()
    assert case.status.code == "scheduled" and case.pending_transition is None
    assert case.events.filter(comment="金額有誤").exists()


def test_without_a_template_nothing_is_saved(la_owner, office):
    case, settle = _scheduled_case(la_owner, office)
    with pytest.raises(ValidationError) as caught:
        case_transition(case=case, transition=settle, actor=la_owner)
    assert "template" in caught.value.message_dict
    case.refresh_from_db()
    assert case.pending_transition is None
