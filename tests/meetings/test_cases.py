"""Directive → tracked case → progress → the chair's decision; closed cases leave the next
book, cases kept open are carried forward; closing through the approval chain."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import UnitOfficer
from documents.models import SignOffChain
from documents.services import signoff_approve, signoff_return
from meetings import selectors, services
from meetings.models import TrackedCase
from notifications.models import Notice
from tests.accounts.factories import unit

from .conftest import at


@pytest.fixture
def first(make_meeting):
    return make_meeting(starts=(2026, 3, 12, 9, 30), deadline=(2026, 3, 10, 17, 0))


@pytest.fixture
def second(make_meeting):
    return make_meeting(
        starts=(2026, 4, 9, 9, 30), deadline=(2026, 4, 7, 17, 0), now=(2026, 3, 20, 9, 0)
    )


@pytest.fixture
def third(make_meeting):
    return make_meeting(
        starts=(2026, 5, 14, 9, 30), deadline=(2026, 5, 12, 17, 0), now=(2026, 4, 20, 9, 0)
    )


def directive(meeting, secretary, text="請資訊處於下次會議前完成系統整合", lead="IM", co=()):
    with at(2026, 3, 12, 10, 0):
        return services.directive_record(
            meeting=meeting,
            actor=secretary,
            directive=text,
            lead_unit=unit(lead),
            co_units=[unit(c) for c in co],
            due_date=dt.date(2026, 4, 1),
        )


def test_directive_becomes_a_numbered_case_told_to_the_lead_unit(owner, first, secretary):
    case = directive(first, secretary)
    assert case.number == "115-0001"
    assert case.status == "open"
    assert Notice.objects.filter(recipient=owner, title__contains="115-0001").exists()
    assert directive(first, secretary, text="第二案").number == "115-0002"


def test_only_the_secretary_records_directives(first, owner, controller):
    with at(2026, 3, 12, 10, 0), pytest.raises(PermissionDenied):
        services.directive_record(
            meeting=first,
            actor=owner,
            directive="x",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 4, 1),
        )


def test_lead_and_co_units_file_progress_others_do_not(
    first, secretary, owner, bli_head, colleague, outsider
):
    case = directive(first, secretary, co=("BLI",))
    with at(2026, 3, 20, 9, 0):
        services.progress_file(case=case, actor=owner, text="已完成需求訪談")
        services.progress_file(case=case, actor=bli_head, text="配合提供資料")
        for user in (colleague, outsider):
            with pytest.raises(PermissionDenied):
                services.progress_file(case=case, actor=user, text="x")
    assert [p.unit.code for p in case.progress.all()] == ["IM", "BLI"]


def test_close_by_the_chair_removes_the_case_from_the_next_book(
    first, second, third, secretary, owner, controller, chair
):
    case = directive(first, secretary)
    with at(2026, 4, 1, 9, 0):
        services.progress_file(case=case, actor=owner, text="系統已整合完成")
        services.case_propose(case=case, actor=controller, proposal="close")
    assert case in selectors.carried_cases(second)
    with at(2026, 4, 9, 10, 0):
        decision = services.case_decide(case=case, meeting=second, actor=chair, decision="close")
    case.refresh_from_db()
    assert (case.status, case.closed_meeting, decision.approval) == ("closed", second, "none")
    assert case in selectors.carried_cases(second)  # decided at that meeting: still in its book
    assert case not in selectors.carried_cases(third)


def test_kept_open_case_is_carried_forward_with_its_history(
    first, second, third, secretary, owner, controller, chair
):
    case = directive(first, secretary)
    with at(2026, 4, 1, 9, 0):
        services.progress_file(case=case, actor=owner, text="進行中")
        services.case_propose(case=case, actor=controller, proposal="keep")
    with at(2026, 4, 9, 10, 0):
        services.case_decide(case=case, meeting=second, actor=chair, decision="keep")
    carried = list(selectors.carried_cases(third))
    assert carried == [case]
    assert [p.text for p in carried[0].progress.all()] == ["進行中"]
    assert [d.meeting for d in carried[0].decisions.all()] == [second]


def test_only_the_chair_decides_and_once_per_meeting(first, second, secretary, controller, chair):
    case = directive(first, secretary)
    with at(2026, 4, 9, 10, 0):
        with pytest.raises(PermissionDenied):
            services.case_decide(case=case, meeting=second, actor=controller, decision="close")
        services.case_decide(case=case, meeting=second, actor=chair, decision="keep")
        with pytest.raises(ValidationError):
            services.case_decide(case=case, meeting=second, actor=chair, decision="close")


def test_a_case_is_not_decided_at_the_meeting_that_directed_it(first, secretary, chair):
    case = directive(first, secretary)
    with at(2026, 3, 12, 11, 0), pytest.raises(ValidationError):
        services.case_decide(case=case, meeting=first, actor=chair, decision="close")


def test_only_the_controller_proposes(first, secretary, owner):
    case = directive(first, secretary)
    with pytest.raises(PermissionDenied):
        services.case_propose(case=case, actor=owner, proposal="close")


@pytest.fixture
def dp_head(make_user):
    user = make_user(username="dphead", organization=unit("DP"))
    UnitOfficer.objects.create(unit=unit("DP"), user=user, kind="head")
    return user


def test_close_goes_through_the_approval_chain_where_the_series_requires_it(
    series, first, second, third, secretary, chair, dp_head
):
    series.closure_needs_approval = True
    series.save()
    case = directive(first, secretary)
    with at(2026, 4, 9, 10, 0):
        decision = services.case_decide(case=case, meeting=second, actor=chair, decision="close")
    case.refresh_from_db()
    assert (case.status, decision.approval) == ("closing", "pending")
    chain = SignOffChain.objects.get(target_object_id=str(decision.pk))
    step = chain.steps.get()
    assert step.assignee == dp_head
    with at(2026, 4, 10, 9, 0):
        signoff_approve(step=step, actor=dp_head)
    case.refresh_from_db()
    decision.refresh_from_db()
    assert (case.status, decision.approval, case.closed_meeting) == ("closed", "approved", second)
    assert case not in selectors.carried_cases(third)


def test_a_returned_close_keeps_the_case_tracked(
    series, first, second, third, secretary, chair, dp_head
):
    series.closure_needs_approval = True
    series.save()
    case = directive(first, secretary)
    with at(2026, 4, 9, 10, 0):
        decision = services.case_decide(case=case, meeting=second, actor=chair, decision="close")
    step = SignOffChain.objects.get(target_object_id=str(decision.pk)).steps.get()
    signoff_return(step=step, actor=dp_head, comment="尚未完成")
    case.refresh_from_db()
    assert case.status == "open"
    assert case in selectors.carried_cases(third)


def test_case_visibility(first, secretary, owner, colleague, outsider, chair, bli_head):
    case = directive(first, secretary)
    assert selectors.case_list(owner).filter(pk=case.pk).exists()
    assert selectors.case_list(colleague).filter(pk=case.pk).exists()  # own unit's case
    assert not selectors.case_list(outsider).filter(pk=case.pk).exists()
    assert selectors.case_list(chair).filter(pk=case.pk).exists()
    assert TrackedCase.objects.count() == 1
