"""IT repair and procurement from the pages and the API: the main flows and the refusals
(outsider, a colleague's ticket, another team, an asset not held, a screenshot served only to
those who see the ticket), with bounded queries on the lists."""

import pytest
from django.urls import reverse

from portal.models import Ticket
from portal.services import repair as services

from .test_repair_services import png


@pytest.fixture
def ticket(clock, owner, pc_category, slas, agent):
    return services.ticket_create(
        actor=owner,
        category=pc_category,
        location="301",
        description="壞了",
        screenshots=[png()],
    )


def login(client, user, password):
    client.force_login(user)
    return client


def test_owner_files_a_ticket_from_the_page(clock, client, owner, password, pc_category, pc, slas):
    login(client, owner, password)
    answer = client.post(
        reverse("portal:repair_new"),
        {
            "category": pc_category.pk,
            "priority": "high",
            "asset": pc.pk,
            "location": "A棟 301",
            "description": "藍屏",
            "screenshots": [png()],
        },
    )
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == ticket.get_absolute_url()
    assert ticket.asset == pc and ticket.screenshots.count() == 1


def test_posting_an_asset_not_held_is_refused(clock, client, colleague, password, pc_category, pc):
    login(client, colleague, password)
    answer = client.post(
        reverse("portal:repair_new"),
        {
            "category": pc_category.pk,
            "priority": "normal",
            "asset": pc.pk,
            "location": "x",
            "description": "y",
        },
    )
    assert answer.status_code == 200 and "asset" in answer.context["form"].errors
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "outsider", "netter"])
def test_others_get_404_for_the_ticket_and_its_screenshot(client, ticket, password, who, request):
    login(client, request.getfixturevalue(who), password)
    shot = ticket.screenshots.get()
    assert client.get(ticket.get_absolute_url()).status_code == 404
    url = reverse("portal:repair_screenshot", args=[ticket.pk, shot.pk])
    assert client.get(url).status_code == 404


def test_owner_sees_the_ticket_and_its_screenshot(client, ticket, owner, password):
    login(client, owner, password)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    shot = ticket.screenshots.get()
    answer = client.get(reverse("portal:repair_screenshot", args=[ticket.pk, shot.pk]))
    assert answer.status_code == 200 and answer["X-Content-Type-Options"] == "nosniff"


def test_other_team_cannot_change_the_status_from_the_page(client, ticket, netter, password):
    login(client, netter, password)
    answer = client.post(reverse("portal:repair_status", args=[ticket.pk]), {"status": "resolved"})
    assert answer.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_agent_works_the_queue(client, ticket, agent, password, django_assert_max_num_queries):
    login(client, agent, password)
    with django_assert_max_num_queries(15):
        answer = client.get(reverse("portal:repair_queue"))
    assert ticket.number in answer.content.decode()
    answer = client.post(reverse("portal:repair_status", args=[ticket.pk]), {"status": "resolved"})
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert client.get(reverse("portal:repair_reports")).status_code == 200


def test_queue_and_reports_are_404_for_staff_outside_it(client, owner, password):
    login(client, owner, password)
    assert client.get(reverse("portal:repair_queue")).status_code == 404
    assert client.get(reverse("portal:repair_reports")).status_code == 404


def test_api_lists_only_visible_tickets(client, ticket, outsider, owner, password):
    login(client, outsider, password)
    assert client.get("/api/v1/portal/repair/tickets/").json()["results"] == []
    client.logout()
    login(client, owner, password)
    rows = client.get("/api/v1/portal/repair/tickets/").json()["results"]
    assert [row["number"] for row in rows] == [ticket.number]


def test_api_creates_a_ticket_and_refuses_bad_input(
    clock, client, owner, password, pc_category, slas, pc
):
    login(client, owner, password)
    url = "/api/v1/portal/repair/tickets/"
    answer = client.post(
        url,
        {
            "category": "pc",
            "priority": "urgent",
            "location": "301",
            "description": "x",
            "asset": pc.pk,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["team"] == "desk"
    answer = client.post(
        url,
        {"category": "nope", "location": "301", "description": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "category" in str(answer.json())


def test_api_refuses_an_asset_of_someone_else(clock, client, colleague, password, pc_category, pc):
    login(client, colleague, password)
    answer = client.post(
        "/api/v1/portal/repair/tickets/",
        {"category": "pc", "location": "301", "description": "x", "asset": pc.pk},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "asset" in str(answer.json())


def test_procurement_from_the_page_and_api(clock, client, owner, outsider, password, thresholds):
    login(client, owner, password)
    answer = client.post(
        reverse("portal:procurement_new"),
        {
            "item": "伺服器",
            "quantity": 1,
            "estimated_amount": 500000,
            "budget_code": "5101-02",
            "justification": "汰換",
        },
    )
    assert answer.status_code == 302
    detail = client.get(answer["Location"])
    assert detail.status_code == 200
    rows = client.get("/api/v1/portal/procurement/requests/").json()["results"]
    assert rows[0]["threshold"] == "public" and rows[0]["document_number"]
    client.logout()
    login(client, outsider, password)
    assert client.get(answer["Location"]).status_code == 404
    assert client.get("/api/v1/portal/procurement/requests/").json()["results"] == []


def test_procurement_amount_without_a_route_names_the_field(
    clock, client, owner, password, thresholds
):
    thresholds[2].is_active = False
    thresholds[2].save()
    login(client, owner, password)
    answer = client.post(
        reverse("portal:procurement_new"),
        {
            "item": "大樓",
            "quantity": 1,
            "estimated_amount": 50_000_000,
            "budget_code": "5101",
            "justification": "x",
        },
    )
    assert answer.status_code == 200 and "estimated_amount" in answer.context["form"].errors
