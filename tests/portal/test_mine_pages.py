"""My requests and my approvals: each person sees only what they asked for and only the
approvals waiting for them, across every service and the documents sign-off, filtered,
paginated, in a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from documents import services as documents_services
from documents.models import SignOffChain
from portal import services
from portal.recurrence import Recurrence
from portal.requests import RequestItem, RequestProvider, my_requests, request_providers
from tests.documents.factories import DelegationFactory, DocumentFactory, UserFactory

from .conftest import taipei

pytestmark = pytest.mark.usefixtures("clock")

REQUESTS = reverse("portal:my_requests")
APPROVALS = reverse("portal:my_approvals")


def book(room, user, day=3, hour=10, title="專案會議", **kwargs):
    return services.booking_create(
        actor=user,
        room=room,
        start=taipei(2026, 3, day, hour),
        end=taipei(2026, 3, day, hour + 1),
        title=title,
        **kwargs,
    )


def approval_for(approver, *, started_by, subject="請假申請"):
    """A chain approving some other app's object (a user row stands in for it)."""
    item = UserFactory()
    return documents_services.signoff_start(
        target=item, steps=[{"order": 1, "user": approver}], started_by=started_by, subject=subject
    )


def document_approval_for(approver, *, registered_by, subject="函復立法院質詢"):
    document = DocumentFactory(subject=subject, registered_by=registered_by)
    return documents_services.signoff_start(
        document=document, steps=[{"order": 1, "user": approver}], started_by=registered_by
    )


@pytest.fixture
def fake_provider():
    """A second service with 30 requests of ``owner``'s, dated one a day from 2026-01-01."""
    made = []

    def items(user, *, limit, open_only):
        rows = [i for i in made if i[0] == user.pk and (i[2] or not open_only)]
        rows.sort(key=lambda r: r[1], reverse=True)
        return [
            RequestItem(
                kind="請假",
                title=f"假單 {day:%m%d}",
                number=f"L{day:%m%d}",
                state="待核" if is_open else "核准",
                date=day,
                url=f"/leave/{day:%m%d}/",
                is_open=is_open,
            )
            for _user, day, is_open in rows[:limit]
        ]

    def count(user, *, open_only):
        return len([i for i in made if i[0] == user.pk and (i[2] or not open_only)])

    request_providers.register(
        RequestProvider(key="fake-leave", label="Leave", items=items, count=count, order=20)
    )
    yield made
    request_providers.unregister("fake-leave")


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    for url in (REQUESTS, APPROVALS):
        answer = client.get(url)
        assert answer.status_code == 302
        assert "/accounts/login/" in answer["Location"]


def test_my_requests_lists_my_bookings_and_series_with_their_state(
    client, owner, colleague, room, restricted
):
    book(room, owner, title="資訊處週會", recurrence=Recurrence(freq="weekly", count=3))
    book(restricted, owner, day=4, title="年度大會")
    book(room, colleague, day=5, title="同事的機密會議")
    client.force_login(owner)
    answer = client.get(REQUESTS)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "資訊處週會" in body and "年度大會" in body
    assert "同事的機密會議" not in body
    assert "Waiting for approval" in body or "待" in body
    assert answer.context["page"].count == 2


def test_only_waiting_requests_with_the_open_filter(client, owner, room, restricted):
    book(room, owner, title="已確認的會議")
    book(restricted, owner, day=4, title="待核的大會")
    client.force_login(owner)
    answer = client.get(REQUESTS, {"open": "on"})
    titles = [item.title for item in answer.context["page"].items]
    assert titles == ["待核的大會"]


def test_requests_of_an_unknown_service_are_refused_as_an_invalid_choice(client, owner, room):
    book(room, owner)
    client.force_login(owner)
    answer = client.get(REQUESTS, {"kind": "<script>x</script>"})
    assert answer.status_code == 200
    assert "kind" in answer.context["form"].errors
    assert "<script>x</script>" not in answer.content.decode()


def test_my_requests_merges_services_newest_first_and_pages_them(
    client, owner, room, fake_provider
):
    for n in range(30):
        fake_provider.append((owner.pk, dt.date(2026, 1, 1) + dt.timedelta(days=n), n % 2 == 0))
    book(room, owner, title="最新的會議")  # asked at the frozen now: newer than every leave
    first = my_requests(owner, page=1, page_size=10)
    assert first.count == 31
    assert first.num_pages == 4
    assert first.items[0].title == "最新的會議"
    assert first.items[1].title == "假單 0130"
    second = my_requests(owner, page=2, page_size=10)
    assert [i.title for i in second.items][:2] == ["假單 0121", "假單 0120"]
    only_leave = my_requests(owner, kind="fake-leave", page_size=10)
    assert only_leave.count == 30
    client.force_login(owner)
    answer = client.get(REQUESTS, {"kind": "fake-leave", "page": "2"})
    assert answer.context["page"].number == 2
    assert [i.title for i in answer.context["page"].items] == [
        "假單 0105",
        "假單 0104",
        "假單 0103",
        "假單 0102",
        "假單 0101",
    ]
    assert "kind=fake-leave&amp;page=1" in answer.content.decode()


def test_a_page_past_the_last_shows_the_last(owner, room):
    book(room, owner)
    page = my_requests(owner, page=9)
    assert page.number == 1
    assert len(page.items) == 1


def test_my_requests_costs_the_same_queries_for_many_requests(
    client, owner, room, django_assert_max_num_queries
):
    client.force_login(owner)
    book(room, owner)
    # Two queries for each provider beyond the rooms' (each service adds its own).
    with django_assert_max_num_queries(12 + 2 * (len(request_providers.all()) - 1)) as few:
        client.get(REQUESTS)
    for day in range(4, 29):
        book(room, owner, day=day, title=f"會議 {day}")
        if day % 2:
            book(room, owner, day=day, hour=14, recurrence=Recurrence(freq="daily", count=2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = client.get(REQUESTS)
    assert len(answer.context["page"].items) == 25


def test_my_approvals_lists_every_kind_waiting_for_me_with_where_to_act(
    client, manager, owner, colleague, restricted
):
    book(restricted, owner, title="年度大會")
    approval_for(manager, started_by=owner, subject="王小明請假三日")
    document_approval_for(manager, registered_by=colleague, subject="函復立法院質詢")
    client.force_login(manager)
    answer = client.get(APPROVALS)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "年度大會" in body and "王小明請假三日" in body and "函復立法院質詢" in body
    for chain in SignOffChain.objects.all():
        assert f'href="{chain.get_absolute_url()}"' in body
    kinds = {key for key, _label in answer.context["form"].fields["kind"].choices if key}
    assert kinds == {"portal.booking", "accounts.user", "documents.document"}


def test_nobody_else_sees_my_approvals(client, manager, owner, colleague, outsider, restricted):
    book(restricted, owner, title="年度大會")
    approval_for(manager, started_by=owner, subject="王小明請假三日")
    for person in (owner, colleague, outsider):
        client.force_login(person)
        answer = client.get(APPROVALS)
        body = answer.content.decode()
        assert answer.context["page"].paginator.count == 0
        assert "年度大會" not in body and "王小明請假三日" not in body


def test_approvals_filtered_by_kind(client, manager, owner, restricted):
    book(restricted, owner, title="年度大會")
    approval_for(manager, started_by=owner, subject="王小明請假三日")
    client.force_login(manager)
    answer = client.get(APPROVALS, {"kind": "portal.booking"})
    body = answer.content.decode()
    assert "年度大會" in body and "王小明請假三日" not in body
    answer = client.get(APPROVALS, {"kind": "auth.group"})
    assert "kind" in answer.context["form"].errors
    assert answer.context["page"].paginator.count == 2


def test_a_delegate_sees_the_approvals_of_who_delegated_to_them(
    client, manager, owner, colleague, restricted
):
    book(restricted, owner, title="年度大會")
    DelegationFactory(
        delegator=manager,
        delegate=colleague,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 6),
    )
    client.force_login(colleague)
    body = client.get(APPROVALS).content.decode()
    assert "年度大會" in body
    assert manager.display_name in body


def test_my_approvals_pages_fifty_with_a_bounded_number_of_queries(
    client, manager, owner, colleague, restricted, django_assert_max_num_queries
):
    client.force_login(manager)
    approval_for(manager, started_by=owner)
    with django_assert_max_num_queries(14) as few:
        client.get(APPROVALS)
    for n in range(20):
        approval_for(manager, started_by=owner, subject=f"請假 {n}")
        book(restricted, owner, day=3 + n, title=f"會議 {n}")
        document_approval_for(manager, registered_by=colleague, subject=f"公文 {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = client.get(APPROVALS)
    assert answer.context["page"].paginator.count == 61
    assert len(answer.context["rows"]) == 25
    answer = client.get(APPROVALS, {"page": "3"})
    assert len(answer.context["rows"]) == 11


def test_the_intranet_home_has_both_tiles(client, owner):
    client.force_login(owner)
    body = client.get(reverse("core:intranet_home")).content.decode()
    assert f'href="{REQUESTS}"' in body
    assert f'href="{APPROVALS}"' in body
