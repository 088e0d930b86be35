"""No over-lending and no negative stock under concurrent requests, on PostgreSQL (threads with
their own connections, started together by a barrier)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal import services
from portal.models import Loan, Stock, SupplyRequest
from portal.selectors import loans as loan_selectors

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def race(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def attempt(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def borrow(user, item, quantity=1):
    return lambda: services.loan_request(
        actor=user, item=item, start=day(1), end=day(3), quantity=quantity, purpose="搶設備"
    )


def test_two_simultaneous_loans_of_the_last_serial_item_exactly_one_wins(laptop, owner, colleague):
    assert race([borrow(owner, laptop), borrow(colleague, laptop)]) == ["refused", "won"]
    assert Loan.objects.filter(item=laptop).count() == 1


def test_two_simultaneous_loans_of_the_last_pooled_items_exactly_one_wins(
    adapters, owner, colleague, outsider
):
    services.loan_request(
        actor=outsider, item=adapters, start=day(2), end=day(2), quantity=1, purpose="a"
    )
    # Two left on day 2: both ask for two.
    assert race([borrow(owner, adapters, 2), borrow(colleague, adapters, 2)]) == ["refused", "won"]
    assert loan_selectors.lent(adapters, day(1), day(3)) == 3


def test_the_database_refuses_an_overlapping_serial_loan_even_when_the_check_is_skipped(
    laptop, owner, colleague, monkeypatch
):
    monkeypatch.setattr(loan_selectors, "lent", lambda *args, **kwargs: 0)
    assert race([borrow(owner, laptop), borrow(colleague, laptop)]) == ["refused", "won"]
    assert Loan.objects.filter(item=laptop).count() == 1


def test_the_exclusion_constraint_holds_for_plain_inserts(laptop, owner):
    def make(start, end, status="pending", number="x"):
        return Loan.objects.create(
            number=number,
            item=laptop,
            serial=True,
            requester=owner,
            start=start,
            end=end,
            purpose="p",
            status=status,
        )

    make(day(1), day(3), number="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        make(day(3), day(5), number="b")  # both ends included: day 3 is shared
    make(day(4), day(5), number="c")
    make(day(1), day(5), status="returned", number="d")
    make(day(1), day(5), status="cancelled", number="e")


def test_two_keepers_issuing_the_last_stock_at_once_one_is_refused(
    owner, colleague, keeper, store, toner
):
    first = services.supply_request(actor=owner, store=store, item=toner, quantity=4, purpose="a")
    second = services.supply_request(
        actor=colleague, store=store, item=toner, quantity=4, purpose="b"
    )
    SupplyRequest.objects.update(status="approved")
    calls = [
        lambda: services.supply_issue(request=first, actor=keeper),
        lambda: services.supply_issue(request=second, actor=keeper),
    ]
    assert race(calls) == ["refused", "won"]
    assert Stock.objects.get(store=store, item=toner).quantity == 2
    assert SupplyRequest.objects.filter(status="issued").count() == 1
