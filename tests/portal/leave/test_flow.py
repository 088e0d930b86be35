"""The leave flow through the services: request → deputy accepts → unit head approves; the
refusals; cancellation and amendment returning the balance; the long-leave route."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.services import signoff_approve, signoff_return
from notifications.models import Notice
from portal.choices import LeaveStatus
from portal.models import LeaveBalance
from portal.services import leave as services

from .conftest import pending_step, taipei

pytestmark = pytest.mark.django_db

DAY_29 = (taipei(2026, 12, 29, 8, 30), taipei(2026, 12, 29, 17, 30))
MORNING_29 = (taipei(2026, 12, 29, 8, 30), taipei(2026, 12, 29, 12, 30))
MORNING_30 = (taipei(2026, 12, 30, 8, 30), taipei(2026, 12, 30, 12, 30))


@pytest.fixture
def setting(leave_clock, types, owner, colleague, head, director, give):
    give(owner, types["annual"], 7)
    give(owner, types["annual"], 14, year=2027)
    return types


def ask(owner, colleague, types, start, end, code="annual", **kwargs):
    return services.leave_request_create(
        actor=owner,
        leave_type=types[code],
        start=start,
        end=end,
        reason=kwargs.pop("reason", "家中事務"),
        deputy=kwargs.pop("deputy", colleague),
        **kwargs,
    )


def balance(user, leave_type, year=2026) -> LeaveBalance:
    return LeaveBalance.objects.get(user=user, leave_type=leave_type, year=year)


def test_request_deputy_accepts_unit_head_approves(setting, owner, colleague, head):
    types = setting
    request = ask(owner, colleague, types, *DAY_29)
    assert request.status == LeaveStatus.AWAITING_DEPUTY
    assert request.number.startswith("L2026-")
    assert balance(owner, types["annual"]).used_hours == Decimal(8)
    assert Notice.objects.filter(recipient=colleague).count() == 1

    services.leave_deputy_answer(request=request, actor=colleague, accept=True)
    request.refresh_from_db()
    assert request.status == LeaveStatus.PENDING

    signoff_approve(step=pending_step(request, head), actor=head, comment="准")
    request.refresh_from_db()
    assert request.status == LeaveStatus.APPROVED
    assert balance(owner, types["annual"]).used_hours == Decimal(8)


def test_a_request_across_the_year_boundary_charges_both_years(setting, owner, colleague):
    types = setting
    request = ask(owner, colleague, types, taipei(2026, 12, 31, 13, 30), taipei(2027, 1, 4, 10, 30))
    assert request.hours == Decimal(14)
    assert request.charges == {"2026": "4", "2027": "10"}
    assert balance(owner, types["annual"]).used_hours == Decimal(4)
    assert balance(owner, types["annual"], 2027).used_hours == Decimal(10)


def test_long_leave_goes_to_the_next_level_after_the_unit_head(
    setting, owner, colleague, head, director
):
    types = setting
    request = ask(owner, colleague, types, taipei(2027, 1, 4, 8, 30), taipei(2027, 1, 6, 17, 30))
    assert request.days == Decimal(3)
    services.leave_deputy_answer(request=request, actor=colleague, accept=True)
    signoff_approve(step=pending_step(request, head), actor=head)
    request.refresh_from_db()
    assert request.status == LeaveStatus.PENDING
    signoff_approve(step=pending_step(request, director), actor=director)
    request.refresh_from_db()
    assert request.status == LeaveStatus.APPROVED


def test_a_refused_request_returns_its_hours(setting, owner, colleague, head):
    types = setting
    request = ask(owner, colleague, types, *MORNING_29)
    services.leave_deputy_answer(request=request, actor=colleague, accept=True)
    signoff_return(step=pending_step(request, head), actor=head, comment="人力不足")
    request.refresh_from_db()
    assert request.status == LeaveStatus.REJECTED
    assert balance(owner, types["annual"]).used_hours == 0


def test_a_declining_deputy_returns_the_hours(setting, owner, colleague):
    types = setting
    request = ask(owner, colleague, types, *MORNING_29)
    services.leave_deputy_answer(request=request, actor=colleague, accept=False)
    request.refresh_from_db()
    assert request.status == LeaveStatus.DEPUTY_DECLINED
    assert balance(owner, types["annual"]).used_hours == 0


def test_cancelling_a_pending_request_returns_the_hours_and_withdraws_the_chain(
    setting, owner, colleague, head
):
    types = setting
    request = ask(owner, colleague, types, *MORNING_29)
    services.leave_deputy_answer(request=request, actor=colleague, accept=True)
    services.leave_cancel(request=request, actor=owner)
    request.refresh_from_db()
    assert request.status == LeaveStatus.CANCELLED
    assert balance(owner, types["annual"]).used_hours == 0
    with pytest.raises(Exception):  # noqa: B017 - the step is no longer pending
        pending_step(request, head)


def test_amending_moves_the_hours_to_the_new_dates(setting, owner, colleague):
    types = setting
    old = ask(owner, colleague, types, *DAY_29)
    new = services.leave_amend(
        request=old,
        actor=owner,
        start=taipei(2026, 12, 30, 8, 30),
        end=taipei(2026, 12, 30, 12, 30),
    )
    old.refresh_from_db()
    assert old.status == LeaveStatus.CANCELLED
    assert new.amends == old
    assert balance(owner, types["annual"]).used_hours == Decimal(4)


def test_over_balance_is_refused_and_nothing_is_charged(setting, owner, colleague):
    types = setting
    LeaveBalance.objects.filter(user=owner, year=2026).update(granted_hours=16)
    with pytest.raises(ValidationError) as info:
        ask(owner, colleague, types, taipei(2026, 12, 28, 13, 30), taipei(2026, 12, 31, 17, 30))
    assert "end" in info.value.message_dict
    assert balance(owner, types["annual"]).used_hours == 0


def test_a_type_that_may_go_negative_is_not_refused(setting, owner, colleague):
    types = setting
    request = ask(
        owner,
        colleague,
        types,
        taipei(2026, 12, 29, 8, 30),
        taipei(2026, 12, 29, 17, 30),
        code="official",
    )
    assert balance(owner, types["official"]).available_hours == Decimal(-8)
    assert request.status == LeaveStatus.AWAITING_DEPUTY


def test_overlapping_own_leave_is_refused(setting, owner, colleague):
    types = setting
    ask(owner, colleague, types, *DAY_29)
    with pytest.raises(ValidationError) as info:
        ask(
            owner,
            colleague,
            types,
            taipei(2026, 12, 29, 13, 30),
            taipei(2026, 12, 29, 15, 30),
            code="personal",
        )
    assert "start" in info.value.message_dict


@pytest.mark.parametrize("who", ["outsider", "owner"])
def test_wrong_deputy_is_refused(setting, owner, outsider, colleague, who):
    types = setting
    deputy = {"outsider": outsider, "owner": owner}[who]
    with pytest.raises(ValidationError) as info:
        ask(
            owner,
            colleague,
            types,
            taipei(2026, 12, 29, 8, 30),
            taipei(2026, 12, 29, 12, 30),
            deputy=deputy,
        )
    assert "deputy" in info.value.message_dict


def test_only_the_deputy_answers_and_only_the_owner_cancels(setting, owner, colleague, outsider):
    types = setting
    request = ask(owner, colleague, types, *MORNING_29)
    with pytest.raises(PermissionDenied):
        services.leave_deputy_answer(request=request, actor=outsider, accept=True)
    with pytest.raises(PermissionDenied):
        services.leave_deputy_answer(request=request, actor=owner, accept=True)
    with pytest.raises(PermissionDenied):
        services.leave_cancel(request=request, actor=colleague)


def test_a_type_needing_a_document_refuses_a_request_without_one(setting, owner, colleague, give):
    types = setting
    with pytest.raises(ValidationError) as info:
        ask(
            owner,
            colleague,
            types,
            taipei(2026, 12, 29, 8, 30),
            taipei(2026, 12, 29, 17, 30),
            code="marriage",
        )
    assert "attachment" in info.value.message_dict


def test_hostile_reason_is_cleaned_and_an_empty_one_refused(setting, owner, colleague):
    types = setting
    request = ask(
        owner,
        colleague,
        types,
        taipei(2026, 12, 29, 8, 30),
        taipei(2026, 12, 29, 9, 30),
        reason="\u202e<script>x</script>",
    )
    assert "\u202e" not in request.reason
    with pytest.raises(ValidationError) as info:
        ask(
            owner,
            colleague,
            types,
            taipei(2026, 12, 30, 8, 30),
            taipei(2026, 12, 30, 9, 30),
            reason="   ",
        )
    assert "reason" in info.value.message_dict


def test_carry_over_moves_what_is_left_up_to_the_limit(setting, owner):
    types = setting
    LeaveBalance.objects.filter(user=owner, year=2027).delete()
    services.leave_year_carry_over(year=2026)
    assert balance(owner, types["annual"], 2027).carried_hours == Decimal(7 * 8)
