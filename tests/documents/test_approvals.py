"""Approval chains on any object, built from chain templates (data, not code)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from accounts.choices import UnitOfficerKind
from accounts.models import RoleAssignment, UnitOfficer
from documents import selectors, services
from documents.choices import ChainStatus, StepStatus, TemplateStepKind
from documents.hooks import signoff_hooks
from documents.models import ChainTemplate, ChainTemplateStep, Document, SignOffChain

from .factories import RoleFactory, UserFactory, unit

pytestmark = pytest.mark.django_db


def pending(chain):
    return list(chain.steps.filter(status=StepStatus.PENDING).order_by("id"))


def head_of(code, user, kind=UnitOfficerKind.HEAD):
    UnitOfficer.objects.create(unit=unit(code), user=user, kind=kind)
    return user


def template(purpose="test.leave", code="leave", steps=(), **fields):
    tpl = ChainTemplate.objects.create(code=code, purpose=purpose, name_zh=code, **fields)
    for order, kind, extra in steps:
        ChainTemplateStep.objects.create(template=tpl, order=order, kind=kind, **extra)
    return tpl


@pytest.fixture
def requester(db):
    return UserFactory(username="requester", organization=unit("IM"))


@pytest.fixture
def item(db):
    """Any saved object can be approved; a user row stands in for a leave request."""
    return UserFactory(username="leave-request-42")


@pytest.fixture
def outcomes(item):
    calls = []
    signoff_hooks.register(
        type(item),
        completed=lambda **kw: calls.append(("completed", kw["chain"].target, kw["document"])),
        returned=lambda **kw: calls.append(("returned", kw["chain"].target, kw["comment"])),
    )
    yield calls
    signoff_hooks.unregister(type(item))


def test_a_chain_approves_an_object_without_taking_a_document_number(requester, item, outcomes):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    assert chain.document is None
    assert chain.target == item
    assert Document.objects.count() == 0
    [step] = pending(chain)
    assert step.assignee == boss
    services.signoff_approve(step=step, actor=boss)
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED
    assert outcomes == [("completed", item, None)]


def test_a_template_that_registers_documents_gives_a_number(requester, item, outcomes):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    template(registers_document=True, steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(
        target=item, purpose="test.leave", started_by=requester, subject="採購申請"
    )
    assert chain.document is not None
    assert chain.document.number.startswith("勞動資字第")
    assert chain.document.source == item
    services.signoff_approve(step=pending(chain)[0], actor=boss)
    assert outcomes == [("completed", item, chain.document)]


def test_the_amount_picks_the_template(requester, item):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    director = UserFactory(username="director", organization=unit("IM"))
    template(code="short", max_amount=Decimal("3"), steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    template(
        code="long",
        min_amount=Decimal("3"),
        steps=[
            (1, TemplateStepKind.UNIT_HEAD, {}),
            (2, TemplateStepKind.PERSON, {"user": director}),
        ],
    )
    assert selectors.chain_template_for(purpose="test.leave", amount=Decimal("2")).code == "short"
    assert selectors.chain_template_for(purpose="test.leave", amount=Decimal("3")).code == "long"
    chain = services.approval_start(
        target=item, purpose="test.leave", started_by=requester, amount=Decimal("5")
    )
    assert chain.template.code == "long"
    assert [(s.order, s.assignee) for s in chain.steps.order_by("order")] == [
        (1, boss),
        (2, director),
    ]


def test_no_template_for_the_purpose_is_a_clear_error(requester, item):
    with pytest.raises(ValidationError) as info:
        services.approval_start(target=item, purpose="test.nothing", started_by=requester)
    assert "template" in info.value.message_dict
    assert not SignOffChain.objects.exists()


def test_inactive_templates_are_not_chosen(requester, item):
    template(is_active=False, steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    with pytest.raises(ValidationError):
        services.approval_start(target=item, purpose="test.leave", started_by=requester)


def test_a_head_asking_goes_to_the_head_above(item):
    # IM's parent is the ministry's top unit: its head approves the IM head's own request.
    im_head = head_of("IM", UserFactory(username="im-head", organization=unit("IM")))
    top = unit("IM").parent
    minister = UserFactory(username="minister", organization=top)
    UnitOfficer.objects.create(unit=top, user=minister, kind=UnitOfficerKind.HEAD)
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=im_head)
    assert pending(chain)[0].assignee == minister


def test_a_vacant_head_falls_to_the_deputy(requester, item):
    deputy = head_of(
        "IM", UserFactory(username="deputy", organization=unit("IM")), UnitOfficerKind.DEPUTY
    )
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    assert pending(chain)[0].assignee == deputy


def test_a_role_step_in_the_requesters_unit_goes_to_its_holders(requester, item):
    clerk = RoleFactory(code="documents.personnel_clerk")
    holder = UserFactory(username="holder", organization=unit("SEC"))
    RoleAssignment.objects.create(user=holder, role=clerk, scope=unit("IM"))
    elsewhere = UserFactory(username="elsewhere", organization=unit("IM"))
    RoleAssignment.objects.create(user=elsewhere, role=clerk, scope=unit("SEC"))
    template(steps=[(1, TemplateStepKind.ROLE, {"role": clerk})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    [step] = pending(chain)
    assert (step.role, step.role_unit) == (clerk, unit("IM"))
    assert list(selectors.pending_steps_for(holder)) == [step]
    assert list(selectors.pending_steps_for(elsewhere)) == []
    with pytest.raises(PermissionDenied):
        services.signoff_approve(step=step, actor=elsewhere)
    services.signoff_approve(step=step, actor=holder)
    assert chain.steps.get().acted_by == holder


def test_a_role_held_without_sub_units_does_not_cover_them(requester, item):
    clerk = RoleFactory(code="documents.parent_clerk")
    parent = unit("IM").parent
    narrow = UserFactory(username="narrow", organization=parent)
    RoleAssignment.objects.create(user=narrow, role=clerk, scope=parent, include_subunits=False)
    wide = UserFactory(username="wide", organization=parent)
    RoleAssignment.objects.create(user=wide, role=clerk, scope=parent)
    template(steps=[(1, TemplateStepKind.ROLE, {"role": clerk})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    [step] = pending(chain)
    assert [u.username for u in selectors.step_recipients(step, day=step.activated_at.date())] == [
        "wide"
    ]
    with pytest.raises(PermissionDenied):
        services.signoff_approve(step=step, actor=narrow)


def test_a_countersign_group_shares_one_order(requester, item):
    a = UserFactory(username="legal")
    b = UserFactory(username="accounting")
    template(
        steps=[
            (1, TemplateStepKind.PERSON, {"user": a}),
            (1, TemplateStepKind.PERSON, {"user": b}),
        ]
    )
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    assert {s.assignee for s in pending(chain)} == {a, b}


def test_a_unit_without_head_is_refused_naming_the_template(item):
    loner = UserFactory(username="loner", organization=unit("SEC"))
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    with pytest.raises(ValidationError) as info:
        services.approval_start(target=item, purpose="test.leave", started_by=loner)
    assert "template" in info.value.message_dict
    assert not SignOffChain.objects.exists()


def test_one_open_chain_per_object(requester, item):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    services.approval_start(target=item, purpose="test.leave", started_by=requester)
    with pytest.raises(services.SignOffError):
        services.approval_start(target=item, purpose="test.leave", started_by=requester)
    assert SignOffChain.objects.count() == 1
    assert boss.pk


def test_the_database_refuses_a_second_open_chain_on_one_object(requester, item):
    services.signoff_start(
        target=item, steps=[{"order": 1, "user": requester}], started_by=requester
    )
    chain = SignOffChain.objects.get()
    clone = SignOffChain(
        target_content_type=chain.target_content_type,
        target_object_id=chain.target_object_id,
        status=ChainStatus.IN_PROGRESS,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_returned_object_hears_the_comment_and_can_restart(requester, item, outcomes):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    template(steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    services.signoff_return(step=pending(chain)[0], actor=boss, comment="請補假單")
    assert outcomes == [("returned", item, "請補假單")]
    again = services.signoff_restart(chain=chain, actor=requester)
    assert again.target == item
    assert [s.assignee for s in pending(again)] == [boss]


@freeze_time("2026-03-02 09:00:00+08:00")
def test_template_working_days_set_the_deadline_and_reminders_follow_it(requester, item):
    boss = head_of("IM", UserFactory(username="boss", organization=unit("IM")))
    template(deadline_working_days=2, steps=[(1, TemplateStepKind.UNIT_HEAD, {})])
    chain = services.approval_start(target=item, purpose="test.leave", started_by=requester)
    assert str(chain.deadline) == "2026-03-04"
    assert not selectors.overdue_pending_steps(day=chain.deadline).exists()
    later = chain.deadline + datetime.timedelta(days=1)
    assert list(selectors.overdue_pending_steps(day=later)) == pending(chain)
    assert boss in selectors.step_recipients(pending(chain)[0], day=later)


def test_template_step_fields_must_match_the_kind():
    tpl = ChainTemplate.objects.create(code="x", purpose="test.x", name_zh="x")
    step = ChainTemplateStep(template=tpl, order=1, kind=TemplateStepKind.ROLE)
    with pytest.raises(ValidationError) as info:
        step.full_clean()
    assert "role" in info.value.message_dict
