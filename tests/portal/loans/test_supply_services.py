"""Supplies through the services: ask, approve, issue (stock never below zero), low-stock
alert to the Secretariat's store keepers, the monthly report; and the refusals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from notifications.models import Notice
from portal import services
from portal.models import Stock, Store, SupplyItem, SupplyRequest
from portal.selectors import supplies as selectors
from tests.accounts.factories import unit

from .conftest import TODAY, approve, refuse

pytestmark = pytest.mark.usefixtures("clock")

LOW = Q(title__icontains="Low stock") | Q(title__icontains="庫存偏低")


def ask(user, store, item, quantity=2, purpose="印表機換碳粉"):
    return services.supply_request(
        actor=user, store=store, item=item, quantity=quantity, purpose=purpose
    )


def stock_of(store, item) -> int:
    return Stock.objects.get(store=store, item=item).quantity


def test_main_flow_ask_approve_issue_and_report(owner, head, keeper, store, toner, templates):
    made = ask(owner, store, toner, quantity=3)
    assert made.number.startswith("S115-") and made.status == "pending"
    approve(made, head)
    assert made.status == "approved"
    issued = services.supply_issue(request=made, actor=keeper)
    assert issued.status == "issued" and issued.issued_quantity == 3
    assert stock_of(store, toner) == 3
    assert Notice.objects.filter(recipient=owner, source="portal").count() >= 2
    rows = selectors.issue_report(keeper, TODAY)
    assert [(r["unit__code"], r["item__code"], r["quantity"], r["requests"]) for r in rows] == [
        ("IM", "toner-hp", 3, 1)
    ]
    # The head of IM reads IM's rows; a plain member reads nothing.
    assert len(selectors.issue_report(head, TODAY)) == 1
    assert selectors.issue_report(owner, TODAY) == []


def test_refused_request_is_never_issued(owner, head, keeper, store, toner, templates):
    made = refuse(ask(owner, store, toner), head)
    assert made.status == "rejected"
    with pytest.raises(ValidationError):
        services.supply_issue(request=made, actor=keeper)
    assert stock_of(store, toner) == 6


def test_stock_never_goes_below_zero(owner, colleague, keeper, store, toner):
    first = approve(ask(owner, store, toner, quantity=5), keeper)
    second = approve(ask(colleague, store, toner, quantity=5), keeper)
    services.supply_issue(request=first, actor=keeper)
    with pytest.raises(ValidationError) as caught:
        services.supply_issue(request=second, actor=keeper)
    assert "quantity" in caught.value.message_dict
    assert caught.value.message_dict["quantity"] == [gettext("Only %(n)d in stock.") % {"n": 1}]
    second.refresh_from_db()
    assert second.status == "approved"
    assert stock_of(store, toner) == 1
    # A partial issue of what is left works.
    services.supply_issue(request=second, actor=keeper, quantity=1)
    assert stock_of(store, toner) == 0


def test_the_database_refuses_a_negative_stock(store, toner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(store=store, item=toner).update(quantity=-1)


def test_low_stock_alerts_the_store_keepers_once(owner, colleague, keeper, store, toner):
    first = approve(ask(owner, store, toner, quantity=3), keeper)
    services.supply_issue(request=first, actor=keeper)  # 6 → 3: above the threshold 2
    assert not Notice.objects.filter(LOW, recipient=keeper).exists()
    second = approve(ask(colleague, store, toner, quantity=2), keeper)
    services.supply_issue(request=second, actor=keeper)  # 3 → 1: crosses it
    alerts = Notice.objects.filter(LOW, recipient=keeper, source="portal")
    assert alerts.count() == 1
    third = approve(ask(owner, store, toner, quantity=1), keeper)
    services.supply_issue(request=third, actor=keeper)  # 1 → 0: already low
    assert alerts.count() == 1


def test_only_the_stores_keepers_issue(owner, colleague, outsider, head, keeper, store, toner):
    made = approve(ask(owner, store, toner), keeper)
    for person in (owner, colleague, outsider, head):
        with pytest.raises(PermissionDenied):
            services.supply_issue(request=made, actor=person)
    assert stock_of(store, toner) == 6


@pytest.mark.parametrize(
    "quantity, purpose, field",
    [
        (0, "x", "quantity"),
        (21, "x", "quantity"),
        ("2", "x", "quantity"),
        (2, " \u202e ", "purpose"),
    ],
)
def test_bad_requests_name_the_field(owner, store, toner, quantity, purpose, field):
    with pytest.raises(ValidationError) as caught:
        ask(owner, store, toner, quantity=quantity, purpose=purpose)
    assert field in caught.value.message_dict
    assert not SupplyRequest.objects.exists()


def test_an_item_the_store_does_not_keep_is_refused(owner, store, toner):
    paper = SupplyItem.objects.create(code="a4", name_zh="A4 影印紙", unit_label="包")
    with pytest.raises(ValidationError) as caught:
        ask(owner, store, paper)
    assert "item" in caught.value.message_dict
    closed = Store.objects.create(
        code="old", name_zh="舊庫房", managing_unit=unit("SEC"), is_active=False
    )
    with pytest.raises(ValidationError) as caught:
        ask(owner, closed, toner)
    assert "store" in caught.value.message_dict


def test_double_submit_asks_once(owner, store, toner):
    key = "6f1c1d1e-0000-4000-8000-000000000001"
    one = services.supply_request(
        actor=owner, store=store, item=toner, quantity=1, purpose="a", submit_key=key
    )
    two = services.supply_request(
        actor=owner, store=store, item=toner, quantity=1, purpose="a", submit_key=key
    )
    assert one.pk == two.pk and SupplyRequest.objects.count() == 1


def test_cancel_only_by_the_requester_before_issue(owner, colleague, keeper, store, toner):
    made = ask(owner, store, toner)
    with pytest.raises(PermissionDenied):
        services.supply_cancel(request=made, actor=colleague)
    services.supply_cancel(request=made, actor=owner)
    made.refresh_from_db()
    assert made.status == "cancelled"
    with pytest.raises(ValidationError):
        services.supply_cancel(request=made, actor=owner)


def test_visibility(owner, colleague, outsider, head, keeper, store, toner):
    made = ask(owner, store, toner)
    for person in (owner, head, keeper):
        assert selectors.request_get(person, made.pk) == made
    for person in (colleague, outsider):
        with pytest.raises(SupplyRequest.DoesNotExist):
            selectors.request_get(person, made.pk)
