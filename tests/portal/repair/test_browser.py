"""In Chromium, with the demo data loaded: every IT repair and procurement page (the new ticket
form, my tickets, a ticket with its comments, the team queue, the reports, the procurement
form, list and a request's page) is axe-clean, has one h1 and no sideways scroll at 360 and
1280 px, for the requester and for the IT team member / approver."""

from io import StringIO

import pytest

from accounts.demo import DEMO_PASSWORD, load_users
from accounts.models import User
from portal.demo_leave import load_leave
from portal.demo_repair import load_repair
from portal.models import ProcurementRequest, Ticket, TicketComment
from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_pages,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo(transactional_db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    load_users(StringIO())
    load_leave(StringIO())
    load_repair(StringIO())


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_requesters_pages_are_clean(demo, live_server, open_page, viewport):
    chen = User.objects.get(username="chen.yiming")
    commented = TicketComment.objects.filter(ticket__requester=chen).first().ticket
    page = open_page(viewport)
    log_in(page, live_server.url, "chen.yiming", DEMO_PASSWORD)
    check_pages(
        page,
        live_server.url,
        [
            "/portal/repair/",
            "/portal/repair/new/",
            commented.get_absolute_url(),
            "/portal/procurement/",
            "/portal/procurement/new/",
        ],
        viewport,
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_team_and_approver_pages_are_clean(demo, live_server, open_page, viewport):
    wang = User.objects.get(username="wang.jianguo")
    ticket = Ticket.objects.filter(team__members=wang, status="in_progress").first()
    request = ProcurementRequest.objects.filter(status="approved").first()
    page = open_page(viewport)
    log_in(page, live_server.url, "wang.jianguo", DEMO_PASSWORD)
    check_pages(
        page,
        live_server.url,
        [
            "/portal/repair/queue/",
            "/portal/repair/reports/",
            ticket.get_absolute_url(),
            "/portal/procurement/",
            request.get_absolute_url(),
        ],
        viewport,
    )
