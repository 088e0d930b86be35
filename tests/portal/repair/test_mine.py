"""IT repair's and procurement's "My requests" providers: the requester's own items with their
state, the open-only filter, a count that agrees, bounded queries, never a colleague's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.requests import my_requests, request_providers
from portal.services import procurement as procurement_services
from portal.services import repair as services


@pytest.fixture
def file_ticket(clock, pc_category, slas, agent):
    def make(user, location="301"):
        return services.ticket_create(
            actor=user, category=pc_category, location=location, description="壞了"
        )

    return make


@pytest.fixture
def file_request(clock, thresholds):
    def make(user, amount=80_000):
        return procurement_services.procurement_request_create(
            actor=user,
            item="筆記型電腦",
            quantity=2,
            estimated_amount=amount,
            budget_code="5101-02",
            justification="汰換",
        )

    return make


def test_tickets_appear_with_their_state_and_open_only(file_ticket, owner, agent):
    first = file_ticket(owner, "301")
    second = file_ticket(owner, "302")
    services.ticket_status_set(ticket=second, actor=agent, status="resolved")
    provider = request_providers.get("repair")
    with translation.override("en"):
        items = provider.items(owner, limit=10, open_only=False)
    assert {(i.number, i.state, i.is_open) for i in items} == {
        (first.number, "New", True),
        (second.number, "Resolved", False),
    }
    open_items = provider.items(owner, limit=10, open_only=True)
    assert [i.number for i in open_items] == [first.number]
    assert provider.count(owner, open_only=True) == 1
    assert provider.count(owner, open_only=False) == 2


def test_procurement_appears_with_its_state_and_open_only(file_request, owner):
    pending = file_request(owner)
    withdrawn = file_request(owner, 200_000)
    procurement_services.procurement_request_withdraw(request=withdrawn, actor=owner)
    provider = request_providers.get("procurement")
    with translation.override("en"):
        items = provider.items(owner, limit=10, open_only=False)
    assert {(i.number, i.state, i.is_open) for i in items} == {
        (pending.number, "Waiting for approval", True),
        (withdrawn.number, "Withdrawn", False),
    }
    assert [i.number for i in provider.items(owner, limit=10, open_only=True)] == [pending.number]
    assert provider.count(owner, open_only=True) == 1
    assert my_requests(owner, kind="procurement").count == 2


def test_a_colleagues_items_never_appear(file_ticket, file_request, owner, colleague):
    file_ticket(colleague)
    file_request(colleague)
    for key in ("repair", "procurement"):
        provider = request_providers.get(key)
        assert provider.items(owner, limit=10, open_only=False) == []
        assert provider.count(owner, open_only=False) == 0
    assert my_requests(owner).count == 0


@pytest.mark.parametrize("key", ["repair", "procurement"])
def test_queries_do_not_grow_with_volume(file_ticket, file_request, owner, key):
    make = file_ticket if key == "repair" else file_request
    provider = request_providers.get(key)
    make(owner)
    with CaptureQueriesContext(connection) as few:
        provider.items(owner, limit=25, open_only=False)
    for _n in range(5):
        make(owner)
    with CaptureQueriesContext(connection) as many:
        items = provider.items(owner, limit=25, open_only=False)
    assert len(items) == 6
    assert len(many.captured_queries) == len(few.captured_queries) == 1
    assert provider.items(owner, limit=3, open_only=False)[0].number == items[0].number
    assert len(provider.items(owner, limit=3, open_only=False)) == 3
