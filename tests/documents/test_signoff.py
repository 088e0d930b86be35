import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from accounts.models import RoleAssignment
from core.models import AuditLogEntry
from documents import services
from documents.choices import (
    ActionKind,
    ChainStatus,
    DocumentStatus,
    ReturnTarget,
    StepStatus,
)
from documents.hooks import signoff_hooks
from documents.models import Document, SignOffAction, SignOffStep
from documents.selectors import pending_steps_for

from .factories import RoleFactory, UserFactory, unit

pytestmark = pytest.mark.django_db


def pending(chain):
    return list(chain.steps.filter(status=StepStatus.PENDING).order_by("id"))


def refreshed(document):
    return Document.objects.get(pk=document.pk)


@pytest.fixture
def received():
    """Collects what the hook registered for chains approving a bare document receives."""
    events = []

    def on_completed(**kwargs):
        events.append(("completed", kwargs["chain"].target_content_type.model_class(), kwargs))

    def on_returned(**kwargs):
        events.append(("returned", kwargs["chain"].target_content_type.model_class(), kwargs))

    signoff_hooks.register(Document, completed=on_completed, returned=on_returned)
    yield events
    signoff_hooks.unregister(Document)


def test_start_makes_the_first_step_pending(document, start, signer_a, signer_b):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    assert [s.assignee for s in pending(chain)] == [signer_a]
    assert chain.steps.get(assignee=signer_b).status == StepStatus.WAITING
    assert refreshed(document).status == DocumentStatus.IN_SIGNOFF
    assert chain.actions.get().kind == ActionKind.START


def test_sequential_approvals_complete_the_chain(document, start, signer_a, signer_b, received):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    assert [s.assignee for s in pending(chain)] == [signer_b]
    assert not received
    services.signoff_approve(step=pending(chain)[0], actor=signer_b, comment="可")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED
    assert refreshed(document).status == DocumentStatus.APPROVED
    [(kind, sender, kwargs)] = received
    assert kind == "completed"
    assert sender is Document  # no source object: the chain approves the document itself
    assert kwargs["outcome"] == "approved"
    assert kwargs["document"].pk == document.pk


def test_only_the_signer_may_approve(document, start, signer_a, signer_b):
    chain = start(document, [(1, signer_a)])
    with pytest.raises(PermissionDenied):
        services.signoff_approve(step=pending(chain)[0], actor=signer_b)
    assert pending(chain)[0].status == StepStatus.PENDING


def test_countersign_waits_for_every_parallel_signer(
    document, start, signer_a, signer_b, signer_c, received
):
    chain = start(document, [(1, signer_a), (1, signer_b), (2, signer_c)])
    assert {s.assignee for s in pending(chain)} == {signer_a, signer_b}
    services.signoff_approve(step=chain.steps.get(assignee=signer_b), actor=signer_b)
    assert [s.assignee for s in pending(chain)] == [signer_a]
    assert chain.steps.get(assignee=signer_c).status == StepStatus.WAITING
    services.signoff_approve(step=chain.steps.get(assignee=signer_a), actor=signer_a)
    assert [s.assignee for s in pending(chain)] == [signer_c]
    services.signoff_approve(step=pending(chain)[0], actor=signer_c)
    assert [e[0] for e in received] == ["completed"]


def test_return_to_originator_ends_the_chain(document, start, signer_a, signer_b, received):
    chain = start(document, [(1, signer_a), (1, signer_b)])
    services.signoff_return(step=pending(chain)[0], actor=signer_a, comment="請補附件")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.RETURNED
    assert refreshed(document).status == DocumentStatus.RETURNED
    assert chain.steps.get(assignee=signer_b).status == StepStatus.CANCELLED
    [(kind, _sender, kwargs)] = received
    assert kind == "returned"
    assert kwargs["outcome"] == "returned"
    assert kwargs["comment"] == "請補附件"


def test_return_needs_a_comment(document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    with pytest.raises(ValidationError) as info:
        services.signoff_return(step=pending(chain)[0], actor=signer_a, comment="  ")
    assert "comment" in info.value.message_dict
    assert pending(chain)[0].status == StepStatus.PENDING


def test_return_to_previous_step_reopens_it(document, start, signer_a, signer_b, signer_c):
    chain = start(document, [(1, signer_a), (2, signer_b), (2, signer_c)])
    services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    services.signoff_approve(step=chain.steps.get(assignee=signer_c), actor=signer_c)
    services.signoff_return(
        step=chain.steps.get(assignee=signer_b, status=StepStatus.PENDING),
        actor=signer_b,
        comment="請再確認金額",
        to=ReturnTarget.PREVIOUS,
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.IN_PROGRESS
    assert chain.current_order == 1
    assert [s.assignee for s in pending(chain)] == [signer_a]
    # Order 2 signs again, both of them.
    services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    assert {s.assignee for s in pending(chain)} == {signer_b, signer_c}
    for step in pending(chain):
        services.signoff_approve(step=step, actor=step.assignee)
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED


def test_return_to_previous_on_the_first_step_goes_to_the_originator(document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    services.signoff_return(
        step=pending(chain)[0], actor=signer_a, comment="退回", to=ReturnTarget.PREVIOUS
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.RETURNED


def test_originator_can_submit_a_returned_document_again(
    document, start, originator, signer_a, signer_b
):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    services.signoff_return(step=pending(chain)[0], actor=signer_a, comment="補件")
    again = services.signoff_restart(chain=chain, actor=originator)
    assert again.pk != chain.pk
    assert [s.assignee for s in pending(again)] == [signer_a]
    assert refreshed(document).status == DocumentStatus.IN_SIGNOFF


def test_forward_hands_the_step_to_another_person(document, start, signer_a, signer_b, signer_c):
    chain = start(document, [(1, signer_a), (2, signer_c)])
    services.signoff_forward(
        step=pending(chain)[0], actor=signer_a, to_user=signer_b, comment="請核"
    )
    [step] = pending(chain)
    assert step.assignee == signer_b
    assert step.order == 1
    assert chain.steps.get(assignee=signer_a).status == StepStatus.FORWARDED
    with pytest.raises(services.StepAlreadyHandled):
        services.signoff_approve(step=chain.steps.get(assignee=signer_a), actor=signer_a)
    services.signoff_approve(step=step, actor=signer_b)
    assert [s.assignee for s in pending(chain)] == [signer_c]
    forward = chain.actions.get(kind=ActionKind.FORWARD)
    assert (forward.actor, forward.target) == (signer_a, signer_b)


def test_forward_to_self_is_refused(document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    with pytest.raises(ValidationError) as info:
        services.signoff_forward(step=pending(chain)[0], actor=signer_a, to_user=signer_a)
    assert "forward_to" in info.value.message_dict


def test_double_submit_of_an_approval_changes_nothing(document, start, signer_a, signer_b):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    step = pending(chain)[0]
    services.signoff_approve(step=step, actor=signer_a)
    with pytest.raises(services.StepAlreadyHandled):
        services.signoff_approve(step=step, actor=signer_a)
    assert chain.actions.filter(kind=ActionKind.APPROVE).count() == 1
    assert [s.assignee for s in pending(chain)] == [signer_b]


def test_role_step_may_be_taken_by_any_member_holding_the_role(document, originator):
    chief = RoleFactory(code="documents.section_chief", name_zh="科長")
    holder = UserFactory(username="holder", organization=unit("IM"))
    RoleAssignment.objects.create(user=holder, role=chief, scope=unit("SEC"))
    same_unit_no_role = UserFactory(username="norole", organization=unit("SEC"))
    role_elsewhere = UserFactory(username="elsewhere", organization=unit("SEC"))
    RoleAssignment.objects.create(user=role_elsewhere, role=chief, scope=unit("IM"))
    chain = services.signoff_start(
        document=document,
        steps=[{"order": 1, "unit": unit("SEC"), "role": "documents.section_chief"}],
        started_by=originator,
    )
    step = pending(chain)[0]
    for outsider in (same_unit_no_role, role_elsewhere):
        with pytest.raises(PermissionDenied):
            services.signoff_approve(step=step, actor=outsider)
    assert list(pending_steps_for(holder)) == [step]
    services.signoff_approve(step=step, actor=holder)
    assert chain.steps.get().acted_by == holder


@freeze_time("2026-05-04 10:00:00+08:00")
def test_delegate_acts_on_behalf_during_the_leave(document, start, signer_a, signer_b):
    services.delegation_create(
        delegator=signer_a,
        delegate=signer_b,
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 8),
        reason="休假",
        created_by=signer_a,
    )
    chain = start(document, [(1, signer_a)])
    assert [s.pk for s in pending_steps_for(signer_b)] == [pending(chain)[0].pk]
    services.signoff_approve(step=pending(chain)[0], actor=signer_b)
    step = chain.steps.get()
    assert (step.acted_by, step.on_behalf_of) == (signer_b, signer_a)
    action = chain.actions.get(kind=ActionKind.APPROVE)
    assert (action.actor, action.on_behalf_of) == (signer_b, signer_a)


def test_delegation_outside_its_dates_gives_no_right(document, start, signer_a, signer_b):
    services.delegation_create(
        delegator=signer_a,
        delegate=signer_b,
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 8),
        reason="休假",
        created_by=signer_a,
    )
    with freeze_time("2026-05-03 10:00:00+08:00"):
        chain = start(document, [(1, signer_a)])
        with pytest.raises(PermissionDenied):
            services.signoff_approve(step=pending(chain)[0], actor=signer_b)
    with freeze_time("2026-05-09 00:30:00+08:00"):
        with pytest.raises(PermissionDenied):
            services.signoff_approve(step=pending(chain)[0], actor=signer_b)
        assert not pending_steps_for(signer_b).exists()


@freeze_time("2026-05-05 10:00:00+08:00")
def test_revoked_delegation_gives_no_right(document, start, signer_a, signer_b):
    delegation = services.delegation_create(
        delegator=signer_a,
        delegate=signer_b,
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 8),
        reason="休假",
        created_by=signer_a,
    )
    services.delegation_revoke(delegation=delegation, revoked_by=signer_a)
    chain = start(document, [(1, signer_a)])
    with pytest.raises(PermissionDenied):
        services.signoff_approve(step=pending(chain)[0], actor=signer_b)


def test_delegation_dates_must_be_ordered(signer_a, signer_b):
    with pytest.raises(ValidationError) as info:
        services.delegation_create(
            delegator=signer_a,
            delegate=signer_b,
            start_date=datetime.date(2026, 5, 8),
            end_date=datetime.date(2026, 5, 4),
            reason="休假",
            created_by=signer_a,
        )
    assert "end_date" in info.value.message_dict


def test_only_one_open_chain_per_document(document, start, signer_a):
    start(document, [(1, signer_a)])
    with pytest.raises(services.SignOffError):
        start(document, [(1, signer_a)])


def test_a_chain_needs_valid_steps(document, originator, signer_a):
    with pytest.raises(ValidationError) as info:
        services.signoff_start(document=document, steps=[], started_by=originator)
    assert "steps" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.signoff_start(
            document=document, steps=[{"order": 0, "user": signer_a}], started_by=originator
        )
    assert refreshed(document).status == DocumentStatus.REGISTERED


def test_cancel_by_the_originator_reopens_the_document(document, start, originator, signer_a):
    chain = start(document, [(1, signer_a)])
    services.signoff_cancel(chain=chain, actor=originator, reason="撤回")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.CANCELLED
    assert refreshed(document).status == DocumentStatus.REGISTERED
    with pytest.raises(PermissionDenied):
        other = start(document, [(1, signer_a)])
        services.signoff_cancel(chain=other, actor=signer_a, reason="no")


def test_a_cancel_reaches_the_returned_hook_when_no_cancelled_one_is_registered(
    document, start, originator, signer_a, received
):
    chain = start(document, [(1, signer_a)])
    services.signoff_cancel(chain=chain, actor=originator, reason="撤回")
    [(kind, _sender, kwargs)] = received
    assert kind == "returned"
    assert kwargs["outcome"] == "cancelled" and kwargs["comment"] == "撤回"
    assert kwargs["actor"] == originator


def test_a_cancel_reaches_the_cancelled_hook_and_a_raising_hook_undoes_it(
    document, start, originator, signer_a
):
    heard = []

    def on_cancelled(**kwargs):
        heard.append(kwargs["outcome"])
        if kwargs["comment"] == "boom":
            raise ValidationError({"status": "the target refuses"})

    signoff_hooks.register(
        Document, returned=lambda **kw: heard.append("returned"), cancelled=on_cancelled
    )
    try:
        chain = start(document, [(1, signer_a)])
        with pytest.raises(ValidationError):
            services.signoff_cancel(chain=chain, actor=originator, reason="boom")
        chain.refresh_from_db()
        assert chain.status == ChainStatus.IN_PROGRESS  # nothing half-done
        assert refreshed(document).status == DocumentStatus.IN_SIGNOFF
        services.signoff_cancel(chain=chain, actor=originator, reason="撤回")
        assert heard == ["cancelled", "cancelled"]
    finally:
        signoff_hooks.unregister(Document)


def test_every_action_is_audited(document, start, signer_a):
    chain = start(document, [(1, signer_a)])
    services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    messages = list(AuditLogEntry.objects.for_object(document).values_list("message", flat=True))
    assert any(m.startswith("sign-off start") for m in messages)
    assert any(m.startswith("sign-off approve") for m in messages)
    assert AuditLogEntry.objects.for_object(document).filter(actor=signer_a).exists()


def test_the_approved_objects_hook_gets_the_outcome(originator, signer_a, received):
    # Any saved model can be a source; a user account stands in for a petition here.
    source = UserFactory(username="source-object")
    calls = []
    signoff_hooks.register(
        type(source), completed=lambda **kw: calls.append(("completed", kw["outcome"]))
    )
    try:
        document = services.document_register(
            unit=unit("IM"), subject="來源物件", source=source, registered_by=originator
        )
        chain = services.signoff_start(
            document=document, steps=[{"order": 1, "user": signer_a}], started_by=originator
        )
        services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    finally:
        signoff_hooks.unregister(type(source))
    assert calls == [("completed", "approved")]
    chain.refresh_from_db()
    assert chain.target == source
    assert not received  # only the hook of the approved object's model is told


def test_a_failing_hook_undoes_the_approval(document, signer_a, originator):
    source = UserFactory(username="source-2")
    document = services.document_register(
        unit=unit("IM"), subject="來源", source=source, registered_by=originator
    )
    chain = services.signoff_start(
        document=document, steps=[{"order": 1, "user": signer_a}], started_by=originator
    )

    def explode(**kwargs):
        raise RuntimeError("source app refused")

    signoff_hooks.register(type(source), completed=explode)
    try:
        with pytest.raises(RuntimeError):
            services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    finally:
        signoff_hooks.unregister(type(source))
    assert SignOffStep.objects.get(chain=chain).status == StepStatus.PENDING
    assert not SignOffAction.objects.filter(kind=ActionKind.APPROVE).exists()
