"""Sign-off notices: when a step becomes pending the people who may act on it get a to-do in
their inbox (and by e-mail after commit), linking to the item; it closes itself when the step
is acted on (approved, returned, forwarded, superseded) or the chain ends; the originator hears
how the chain ended. Everything in the transaction of the sign-off action."""

import datetime

import pytest
from django.core import mail
from freezegun import freeze_time

from accounts.models import RoleAssignment
from documents import services
from documents.choices import ReturnTarget, StepStatus
from documents.hooks import signoff_hooks
from documents.models import Document
from documents.selectors import pending_steps_for, step_actor
from notifications.choices import DeliveryState, NoticeKind, NoticeState
from notifications.models import Delivery, Notice

from .factories import DocumentFactory, RoleFactory, UserFactory, unit

pytestmark = pytest.mark.django_db

PENDING = "documents.signoff_pending"
FINISHED = "documents.signoff_finished"


def pending(chain):
    return list(chain.steps.filter(status=StepStatus.PENDING).order_by("id"))


def todos(step, state=None):
    """The sign-off to-dos about ``step``: {username: state}."""
    rows = Notice.objects.filter(
        template=PENDING, target_id=str(step.pk), target_type__model="signoffstep"
    )
    if state is not None:
        rows = rows.filter(state=state)
    return {n.recipient.username: n.state for n in rows.select_related("recipient")}


def open_todos(user):
    return list(
        Notice.objects.filter(
            recipient=user, kind=NoticeKind.TODO, state__in=[NoticeState.UNREAD, NoticeState.READ]
        )
    )


def finished(user):
    return list(Notice.objects.filter(recipient=user, template=FINISHED))


def test_the_first_signer_gets_a_todo_linking_to_the_document(document, start, signer_a, signer_b):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    [step] = pending(chain)
    assert todos(step) == {"signer_a": NoticeState.UNREAD}
    notice = Notice.objects.get(recipient=signer_a)
    assert notice.kind == NoticeKind.TODO
    assert notice.source == "documents"
    assert notice.link == document.get_absolute_url()
    assert document.number in notice.title and document.subject in notice.title
    assert notice.target == step
    assert open_todos(signer_b) == []  # order 2 is not current yet


def test_the_todo_is_mailed_after_commit_with_its_link(
    settings, document, start, signer_a, signer_b, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SITE_URL = "https://portal.example.gov.tw"
    with django_capture_on_commit_callbacks(execute=True):
        start(document, [(1, signer_a), (2, signer_b)])
    [message] = mail.outbox
    assert message.to == [signer_a.email]
    assert document.number in message.subject
    assert "https://portal.example.gov.tw" + document.get_absolute_url() in message.body
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.state) == (PENDING, DeliveryState.SENT)
    assert delivery.notice.recipient == signer_a


def test_each_approval_closes_its_todo_and_announces_the_next_order(
    document, start, originator, signer_a, signer_b
):
    chain = start(document, [(1, signer_a), (2, signer_b)])
    [first] = pending(chain)
    services.signoff_approve(step=first, actor=signer_a)
    assert todos(first) == {"signer_a": NoticeState.DONE}
    [second] = pending(chain)
    assert todos(second) == {"signer_b": NoticeState.UNREAD}
    assert finished(originator) == []
    services.signoff_approve(step=second, actor=signer_b, comment="同意")
    assert todos(second) == {"signer_b": NoticeState.DONE}
    assert open_todos(signer_a) == open_todos(signer_b) == []
    [notice] = finished(originator)
    assert notice.kind == NoticeKind.INFORMATION
    assert notice.link == document.get_absolute_url()
    assert notice.title.startswith("已核准") or notice.title.startswith("Approved")
    assert signer_b.display_name in notice.body and "同意" in notice.body


def test_countersigners_each_get_their_own_todo(document, start, signer_a, signer_b, signer_c):
    chain = start(document, [(1, signer_a), (1, signer_b), (2, signer_c)])
    step_a, step_b = pending(chain)
    assert (todos(step_a), todos(step_b)) == (
        {"signer_a": NoticeState.UNREAD},
        {"signer_b": NoticeState.UNREAD},
    )
    services.signoff_approve(step=step_a, actor=signer_a)
    # The other countersigner's to-do stays open; order 2 waits for both.
    assert todos(step_b) == {"signer_b": NoticeState.UNREAD}
    assert open_todos(signer_c) == []
    services.signoff_approve(step=step_b, actor=signer_b)
    assert todos(step_b) == {"signer_b": NoticeState.DONE}
    assert [n.target for n in open_todos(signer_c)] == pending(chain)


@freeze_time("2026-05-04 10:00:00+08:00")
def test_a_role_step_reaches_exactly_the_people_who_may_act(document, originator):
    chief = RoleFactory(code="documents.section_chief", name_zh="科長")
    holder = UserFactory(username="holder", organization=unit("IM"))
    RoleAssignment.objects.create(user=holder, role=chief, scope=unit("SEC"))
    second_holder = UserFactory(username="holder2", organization=unit("SEC"))
    RoleAssignment.objects.create(user=second_holder, role=chief, scope=unit("SEC"))
    no_role = UserFactory(username="norole", organization=unit("SEC"))
    role_elsewhere = UserFactory(username="elsewhere", organization=unit("SEC"))
    RoleAssignment.objects.create(user=role_elsewhere, role=chief, scope=unit("IM"))
    stand_in = UserFactory(username="stand-in")
    services.delegation_create(
        delegator=holder,
        delegate=stand_in,
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 8),
        reason="公假",
        created_by=holder,
    )
    chain = services.signoff_start(
        document=document,
        steps=[{"order": 1, "unit": unit("SEC"), "role": "documents.section_chief"}],
        started_by=originator,
    )
    [step] = pending(chain)
    notified = set(todos(step))
    assert notified == {"holder", "holder2", "stand-in"}
    # The same people the engine lets act and lists under My sign-offs.
    for person in (holder, second_holder, no_role, role_elsewhere, stand_in):
        may_act = step_actor(step, person)[0]
        assert may_act == (person.username in notified)
        assert (list(pending_steps_for(person)) == [step]) == may_act
    services.signoff_approve(step=step, actor=second_holder)
    assert set(todos(step, state=NoticeState.DONE)) == {"holder", "holder2", "stand-in"}


def test_return_to_the_originator_closes_every_todo_and_tells_the_originator(
    document, start, originator, signer_a, signer_b, signer_c
):
    chain = start(document, [(1, signer_a), (1, signer_b), (2, signer_c)])
    step_a, step_b = pending(chain)
    services.signoff_return(step=step_a, actor=signer_a, comment="附件不全")
    assert todos(step_a) == {"signer_a": NoticeState.DONE}
    assert todos(step_b) == {"signer_b": NoticeState.DONE}  # cancelled with the chain
    assert open_todos(signer_c) == []
    [notice] = finished(originator)
    assert "附件不全" in notice.body
    assert notice.title.startswith("退回") or notice.title.startswith("Returned")


def test_return_to_the_previous_order_hands_the_todos_back(
    document, start, originator, signer_a, signer_b, signer_c
):
    chain = start(document, [(1, signer_a), (2, signer_b), (2, signer_c)])
    services.signoff_approve(step=pending(chain)[0], actor=signer_a)
    step_b, step_c = pending(chain)
    services.signoff_return(
        step=step_b, actor=signer_b, comment="請再確認", to=ReturnTarget.PREVIOUS
    )
    # Order 2 is superseded: both its to-dos close; signer_a signs again.
    assert todos(step_b) == {"signer_b": NoticeState.DONE}
    assert todos(step_c) == {"signer_c": NoticeState.DONE}
    [again] = pending(chain)
    assert again.assignee == signer_a
    assert todos(again) == {"signer_a": NoticeState.UNREAD}
    assert finished(originator) == []  # the chain goes on
    services.signoff_approve(step=again, actor=signer_a)
    assert {s.assignee.username for s in pending(chain)} == {"signer_b", "signer_c"}
    assert all(todos(s) == {s.assignee.username: NoticeState.UNREAD} for s in pending(chain))


def test_forwarding_moves_the_todo_to_the_colleague(document, start, signer_a, signer_b):
    chain = start(document, [(1, signer_a)])
    [step] = pending(chain)
    services.signoff_forward(step=step, actor=signer_a, to_user=signer_b, comment="請代為核閱")
    assert todos(step) == {"signer_a": NoticeState.DONE}
    [new_step] = pending(chain)
    assert todos(new_step) == {"signer_b": NoticeState.UNREAD}
    services.signoff_approve(step=new_step, actor=signer_b)
    assert todos(new_step) == {"signer_b": NoticeState.DONE}


def test_cancelling_closes_the_todos(document, start, originator, signer_a):
    chain = start(document, [(1, signer_a)])
    [step] = pending(chain)
    services.signoff_cancel(chain=chain, actor=originator, reason="撤回")
    assert todos(step) == {"signer_a": NoticeState.DONE}
    assert finished(originator) == []  # they cancelled it themselves


def test_a_superuser_cancelling_tells_the_originator(document, start, originator, signer_a):
    admin = UserFactory(username="root", is_superuser=True)
    chain = start(document, [(1, signer_a)])
    services.signoff_cancel(chain=chain, actor=admin, reason="重複送簽")
    assert open_todos(signer_a) == []
    [notice] = finished(originator)
    assert "重複送簽" in notice.body


def test_a_restarted_chain_announces_its_first_step_again(document, start, originator, signer_a):
    chain = start(document, [(1, signer_a)])
    services.signoff_return(step=pending(chain)[0], actor=signer_a, comment="補件")
    again = services.signoff_restart(chain=chain, actor=originator)
    [step] = pending(again)
    assert todos(step) == {"signer_a": NoticeState.UNREAD}
    assert len(open_todos(signer_a)) == 1


def test_an_action_that_fails_leaves_no_notice_behind(document, start, originator, signer_a):
    """A hook that raises undoes the action, and the notices of it with it."""

    def refuse(**kwargs):
        raise RuntimeError("target app said no")

    chain = start(document, [(1, signer_a)])
    [step] = pending(chain)
    signoff_hooks.register(Document, completed=refuse)
    try:
        with pytest.raises(RuntimeError):
            services.signoff_approve(step=step, actor=signer_a)
    finally:
        signoff_hooks.unregister(Document)
    assert todos(step) == {"signer_a": NoticeState.UNREAD}
    assert finished(originator) == []


def test_an_approval_without_a_document_links_to_the_chain_page(originator, signer_a):
    item = UserFactory(username="repair-ticket-9")
    chain = services.signoff_start(
        target=item,
        subject="影印機維修",
        steps=[{"order": 1, "user": signer_a}],
        started_by=originator,
    )
    [notice] = Notice.objects.filter(recipient=signer_a)
    assert notice.link == chain.get_absolute_url() == f"/documents/chains/{chain.pk}/"
    assert "影印機維修" in notice.title


def test_the_deadline_is_the_notices_due_date(originator, signer_a):
    document = DocumentFactory(registered_by=originator, deadline=datetime.date(2026, 7, 10))
    services.signoff_start(
        document=document, steps=[{"order": 1, "user": signer_a}], started_by=originator
    )
    notice = Notice.objects.get(recipient=signer_a)
    assert notice.due.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date() == (
        datetime.date(2026, 7, 10)
    )
