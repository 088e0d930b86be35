"""Who may reach an IT repair ticket or a procurement request, from every entry point: the
pages (detail, screenshot, attachment, the actions, the queue and the reports), the API lists
and the Django admin. The owner, the IT team member, the head of the unit and the approver get
in; a colleague of the same unit, an outsider of another unit and another IT team get a 404
(an empty list from the API); staff without model permissions are refused by the admin.

There is no CSV export of repair or procurement: the team's reports page is the only report."""

import pytest
from django.urls import reverse

from documents.choices import StepStatus
from documents.services import signoff_approve
from portal.selectors import procurement as procurement_selectors
from portal.services import procurement as procurement_services
from portal.services import repair as repair_services
from tests.accounts.mfa_support import force_login_verified

from .test_repair_services import png

TICKETS = "/api/v1/portal/repair/tickets/"
REQUESTS = "/api/v1/portal/procurement/requests/"


@pytest.fixture
def ticket(clock, owner, pc_category, slas, agent):
    return repair_services.ticket_create(
        actor=owner, category=pc_category, location="301", description="壞了", screenshots=[png()]
    )


@pytest.fixture
def procurement(clock, owner, thresholds):
    """A request above 150,000: the IM head approves first, then the Accounting head."""
    return procurement_services.procurement_request_create(
        actor=owner,
        item="伺服器",
        quantity=1,
        estimated_amount=500_000,
        budget_code="5101-02",
        justification="汰換",
        attachments=[png("quote.png")],
    )


def as_user(client, request, who):
    client.force_login(request.getfixturevalue(who))
    return client


def screenshot_url(ticket):
    return reverse("portal:repair_screenshot", args=[ticket.pk, ticket.screenshots.get().pk])


def attachment_url(item):
    return reverse("portal:procurement_attachment", args=[item.pk, item.attachments.get().pk])


# Repair tickets -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "agent", "im_head"])
def test_owner_team_and_head_see_the_ticket_page_screenshot_and_api_row(
    client, request, ticket, who
):
    as_user(client, request, who)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    answer = client.get(screenshot_url(ticket))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    rows = client.get(TICKETS).json()["results"]
    assert [row["number"] for row in rows] == [ticket.number]


@pytest.mark.parametrize("who", ["colleague", "outsider", "netter", "acc_head"])
def test_others_get_404_for_the_ticket_page_and_screenshot_and_nothing_from_the_api(
    client, request, ticket, who
):
    as_user(client, request, who)
    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.get(screenshot_url(ticket)).status_code == 404
    assert client.get(TICKETS).json()["results"] == []
    assert client.get(TICKETS, {"status": "new"}).json()["results"] == []


def test_a_screenshot_of_another_ticket_is_404_through_a_visible_ticket(
    client, ticket, colleague, pc_category
):
    mine = repair_services.ticket_create(
        actor=colleague, category=pc_category, location="302", description="x"
    )
    client.force_login(colleague)
    shot = ticket.screenshots.get()
    url = reverse("portal:repair_screenshot", args=[mine.pk, shot.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["colleague", "outsider", "netter"])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("portal:repair_comment", {"body": "我來看看"}),
        ("portal:repair_status", {"status": "resolved"}),
        ("portal:repair_assign", {"assignee": ""}),
        ("portal:repair_close", {"rating": 5}),
        ("portal:repair_reopen", {"reason": "又壞了"}),
    ],
)
def test_others_cannot_act_on_the_ticket(client, request, ticket, who, name, data):
    as_user(client, request, who)
    answer = client.post(reverse(name, args=[ticket.pk]), data)
    assert answer.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.comments.count()) == ("new", None, 0)


def test_the_owner_cannot_change_the_status_or_assign(client, ticket, owner, agent):
    client.force_login(owner)
    client.post(reverse("portal:repair_status", args=[ticket.pk]), {"status": "resolved"})
    client.post(reverse("portal:repair_assign", args=[ticket.pk]), {"assignee": agent.pk})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id) == ("new", None)


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "im_head"])
def test_queue_and_reports_are_404_outside_the_it_teams(client, request, ticket, who):
    as_user(client, request, who)
    assert client.get(reverse("portal:repair_queue")).status_code == 404
    assert client.get(reverse("portal:repair_reports")).status_code == 404


def test_another_team_does_not_see_the_ticket_in_its_queue(client, ticket, netter, agent):
    client.force_login(netter)
    assert ticket.number not in client.get(reverse("portal:repair_queue")).content.decode()
    client.force_login(agent)
    assert ticket.number in client.get(reverse("portal:repair_queue")).content.decode()


def test_anonymous_is_sent_to_log_in_everywhere(client, ticket, procurement):
    for url in (
        ticket.get_absolute_url(),
        screenshot_url(ticket),
        reverse("portal:repair_queue"),
        reverse("portal:repair_reports"),
        procurement.get_absolute_url(),
        attachment_url(procurement),
    ):
        answer = client.get(url)
        assert answer.status_code == 302 and "login" in answer["Location"], url
    for url in (TICKETS, REQUESTS):
        assert client.get(url).status_code in (401, 403), url
    assert client.post(TICKETS, {}, content_type="application/json").status_code in (401, 403)


# Procurement requests -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "im_head"])
def test_owner_and_head_see_the_request_its_attachment_and_api_row(
    client, request, procurement, who
):
    as_user(client, request, who)
    assert client.get(procurement.get_absolute_url()).status_code == 200
    answer = client.get(attachment_url(procurement))
    assert answer.status_code == 200 and answer["X-Content-Type-Options"] == "nosniff"
    rows = client.get(REQUESTS).json()["results"]
    assert [row["number"] for row in rows] == [procurement.number]


@pytest.mark.parametrize("who", ["colleague", "outsider", "agent"])
def test_others_get_404_for_the_request_and_attachment_and_nothing_from_the_api(
    client, request, procurement, who
):
    as_user(client, request, who)
    assert client.get(procurement.get_absolute_url()).status_code == 404
    assert client.get(attachment_url(procurement)).status_code == 404
    assert client.get(REQUESTS).json()["results"] == []


def test_the_approver_of_another_unit_sees_the_request_once_it_is_their_turn(
    client, procurement, im_head, acc_head
):
    signoff_approve(
        step=procurement_selectors.chain(procurement).steps.get(status=StepStatus.PENDING),
        actor=im_head,
    )
    client.force_login(acc_head)
    assert client.get(procurement.get_absolute_url()).status_code == 200
    assert client.get(attachment_url(procurement)).status_code == 200
    rows = client.get(REQUESTS).json()["results"]
    assert [row["number"] for row in rows] == [procurement.number]


@pytest.mark.parametrize("who", ["colleague", "outsider", "im_head"])
def test_only_the_requester_withdraws(client, request, procurement, who):
    as_user(client, request, who)
    client.post(reverse("portal:procurement_withdraw", args=[procurement.pk]))
    procurement.refresh_from_db()
    assert procurement.status == "pending"


def test_my_requests_lists_only_my_own(client, procurement, colleague, owner):
    client.force_login(colleague)
    assert (
        procurement.number
        not in client.get(reverse("portal:procurement_requests")).content.decode()
    )
    client.force_login(owner)
    assert procurement.number in client.get(reverse("portal:procurement_requests")).content.decode()


# The Django admin ---------------------------------------------------------------------------

ADMIN_MODELS = [
    "itteam",
    "repaircategory",
    "repairsla",
    "ticket",
    "procurementthreshold",
    "procurementrequest",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_staff_without_model_permissions_is_refused_by_the_admin(
    client, make_user, ticket, procurement, model
):
    force_login_verified(client, make_user(username="clerk", is_staff=True))
    answer = client.get(reverse(f"admin:portal_{model}_changelist"))
    assert answer.status_code == 403


@pytest.mark.parametrize("who", ["owner", "agent", "im_head"])
def test_non_staff_are_sent_to_the_admin_login(client, request, ticket, who):
    as_user(client, request, who)
    for model in ("ticket", "procurementrequest"):
        answer = client.get(reverse(f"admin:portal_{model}_changelist"))
        assert answer.status_code == 302 and "/login/" in answer["Location"]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_superuser_opens_the_admin_changelists(client, make_user, ticket, procurement, model):
    root = make_user(username="root", is_staff=True, is_superuser=True)
    force_login_verified(client, root)
    assert client.get(reverse(f"admin:portal_{model}_changelist")).status_code == 200


def test_superuser_opens_the_ticket_and_request_change_pages(
    client, make_user, ticket, procurement
):
    force_login_verified(client, make_user(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:portal_ticket_change", args=[ticket.pk])).status_code == 200
    url = reverse("admin:portal_procurementrequest_change", args=[procurement.pk])
    assert client.get(url).status_code == 200


def test_the_head_reads_but_cannot_act_on_the_ticket(client, ticket, im_head, agent):
    repair_services.ticket_status_set(ticket=ticket, actor=agent, status="resolved")
    client.force_login(im_head)
    for name, data in [
        ("portal:repair_comment", {"body": "催一下"}),
        ("portal:repair_status", {"status": "in_progress"}),
        ("portal:repair_assign", {"assignee": agent.pk}),
        ("portal:repair_close", {"rating": 1}),
    ]:
        client.post(reverse(name, args=[ticket.pk]), data)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.comments.count()) == ("resolved", None, 0)
