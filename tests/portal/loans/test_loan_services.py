"""Equipment loans through the services: ask, approve, check out, return, cancel, remind; and
every refusal (dates, quantity, over-lending, people who may not)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLogEntry
from notifications.models import Notice
from portal import services
from portal.models import Loan
from portal.selectors import loans as selectors

from .conftest import approve, chain_step, day, refuse

pytestmark = pytest.mark.usefixtures("clock")


def ask(user, item, start=1, end=3, quantity=1, purpose="出差簡報"):
    return services.loan_request(
        actor=user, item=item, start=day(start), end=day(end), quantity=quantity, purpose=purpose
    )


def test_the_main_flow_ask_approve_checkout_return(owner, head, desk, laptop, templates, clock):
    loan = ask(owner, laptop)
    assert loan.status == "pending"
    assert loan.number.startswith("L115-")
    approve(loan, head)
    assert loan.status == "approved"
    assert Notice.objects.filter(recipient=owner, source="portal").count() >= 1
    clock.move_to("2026-03-03 09:00:00+08:00")
    loan = services.loan_checkout(loan=loan, actor=desk, condition="good", note="含充電器")
    assert loan.status == "out"
    assert loan.checked_out_by == desk and loan.condition_out == "good"
    loan = services.loan_return(loan=loan, actor=desk, condition="worn")
    assert loan.status == "returned" and loan.condition_in == "worn"
    assert AuditLogEntry.objects.filter(object_id=str(loan.pk)).count() >= 3


def test_without_a_template_the_loan_managers_approve(owner, desk, laptop):
    loan = ask(owner, laptop)
    approve(loan, desk)
    assert loan.status == "approved"


def test_refused_frees_the_dates(owner, colleague, head, laptop, templates):
    loan = ask(owner, laptop)
    with pytest.raises(ValidationError) as caught:
        ask(colleague, laptop, start=2, end=4)
    assert "quantity" in caught.value.message_dict
    refuse(loan, head)
    assert loan.status == "rejected"
    assert ask(colleague, laptop, start=2, end=4).status == "pending"


def test_back_to_back_loans_of_a_serial_item(owner, colleague, laptop):
    ask(owner, laptop, start=1, end=2)
    assert ask(colleague, laptop, start=3, end=4).pk
    with pytest.raises(services.LoanUnavailable):
        ask(colleague, laptop, start=2, end=2)


def test_a_quantity_item_lends_at_most_its_quantity(owner, colleague, adapters):
    ask(owner, adapters, start=1, end=3, quantity=2)
    ask(colleague, adapters, start=3, end=5, quantity=1)
    # Day 3 holds all three.
    with pytest.raises(services.LoanUnavailable) as caught:
        ask(colleague, adapters, start=3, end=3, quantity=1)
    assert caught.value.available == 0
    # Day 4 holds one: two are free.
    assert ask(colleague, adapters, start=4, end=4, quantity=2).quantity == 2
    assert selectors.available(adapters, day(1), day(2)) == 1


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"start": -1, "end": 1}, "start"),
        ({"start": 3, "end": 2}, "end"),
        ({"start": 1, "end": 20}, "end"),
        ({"start": 200, "end": 201}, "start"),
        ({"purpose": "  "}, "purpose"),
        ({"purpose": "x" * 301}, "purpose"),
        ({"quantity": 2}, "quantity"),
        ({"quantity": "1"}, "quantity"),
    ],
)
def test_bad_requests_name_the_field(owner, laptop, fields, field):
    with pytest.raises(ValidationError) as caught:
        ask(owner, laptop, **fields)
    assert field in caught.value.message_dict
    assert not Loan.objects.exists()


def test_over_quantity_of_a_pool(owner, adapters):
    with pytest.raises(ValidationError) as caught:
        ask(owner, adapters, quantity=4)
    assert "quantity" in caught.value.message_dict


def test_purpose_is_cleaned_of_bidi_and_markup_kept_as_text(owner, laptop):
    loan = ask(owner, laptop, purpose="簡報\u202e<script>alert(1)</script>")
    assert "\u202e" not in loan.purpose
    assert loan.purpose == "簡報<script>alert(1)</script>"


def test_an_inactive_item_or_user_cannot_borrow(owner, laptop):
    laptop.is_active = False
    laptop.save()
    with pytest.raises(ValidationError) as caught:
        ask(owner, laptop)
    assert "item" in caught.value.message_dict
    owner.is_active = False
    with pytest.raises(PermissionDenied):
        ask(owner, laptop)


def test_only_the_items_loan_managers_check_out_and_take_back(
    owner, colleague, outsider, desk, laptop, clock
):
    loan = ask(owner, laptop, start=0, end=2)
    approve(loan, desk)
    for person in (owner, colleague, outsider):
        with pytest.raises(PermissionDenied):
            services.loan_checkout(loan=loan, actor=person, condition="good")
    with pytest.raises(ValidationError) as caught:
        services.loan_checkout(loan=loan, actor=desk, condition="shiny")
    assert "condition" in caught.value.message_dict
    services.loan_checkout(loan=loan, actor=desk, condition="good")
    # Twice: refused, nothing changes.
    with pytest.raises(ValidationError):
        services.loan_checkout(loan=loan, actor=desk, condition="good")
    with pytest.raises(PermissionDenied):
        services.loan_return(loan=loan, actor=owner, condition="good")


def test_a_pending_loan_cannot_be_checked_out(owner, desk, laptop):
    loan = ask(owner, laptop, start=0, end=1)
    with pytest.raises(ValidationError):
        services.loan_checkout(loan=loan, actor=desk, condition="good")


def test_cancel_by_the_requester_withdraws_the_chain(owner, colleague, laptop, head, templates):
    loan = ask(owner, laptop)
    with pytest.raises(PermissionDenied):
        services.loan_cancel(loan=loan, actor=colleague)
    services.loan_cancel(loan=loan, actor=owner)
    loan.refresh_from_db()
    assert loan.status == "cancelled"
    assert chain_step(loan).status != "pending"
    assert ask(colleague, laptop).pk


def test_overdue_reminders_once_a_day(owner, desk, laptop, clock):
    loan = ask(owner, laptop, start=0, end=1)
    approve(loan, desk)
    services.loan_checkout(loan=loan, actor=desk, condition="good")
    assert services.overdue_reminders_send() == 0
    clock.move_to("2026-03-04 09:00:00+08:00")
    before = Notice.objects.filter(recipient=owner).count()
    assert services.overdue_reminders_send() == 1
    assert services.overdue_reminders_send() == 0
    assert Notice.objects.filter(recipient=owner).count() == before + 1
    clock.move_to("2026-03-05 09:00:00+08:00")
    assert services.overdue_reminders_send() == 1


def test_visibility_owner_unit_head_manager_but_not_colleague_or_outsider(
    owner, colleague, outsider, head, desk, laptop
):
    loan = ask(owner, laptop)
    assert selectors.loan_get(owner, loan.pk) == loan
    assert selectors.loan_get(head, loan.pk) == loan
    assert selectors.loan_get(desk, loan.pk) == loan
    for person in (colleague, outsider):
        with pytest.raises(Loan.DoesNotExist):
            selectors.loan_get(person, loan.pk)


def describe_asset(number):
    return f"register item {number}"


def test_the_asset_register_seam(laptop, settings):
    laptop.asset_number = "3140101-03-107"
    assert selectors.asset_of(laptop) is None
    settings.PORTAL_LOANS_ASSET_LOOKUP = "tests.portal.loans.test_loan_services.describe_asset"
    assert selectors.asset_of(laptop) == "register item 3140101-03-107"
    laptop.asset_number = ""
    assert selectors.asset_of(laptop) is None


def test_a_template_whose_unit_has_no_head_falls_back_to_the_loan_managers(
    outsider, desk, laptop, templates
):
    # BLI has no head in these tests: the template cannot be resolved.
    loan = ask(outsider, laptop)
    assert chain_step(loan).role.code == "portal.loan_manager"
