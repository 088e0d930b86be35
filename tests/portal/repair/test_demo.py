"""The demo IT repair and procurement data: loaded once through the services, tickets in every
state across teams and priorities (some past their SLA), procurement requests across the
thresholds with real chains and documents, and something to see for the demo logins."""

from io import StringIO

import pytest
from django.utils import timezone

from accounts.demo import load_users
from accounts.models import User
from documents.choices import StepStatus
from documents.models import SignOffStep
from portal.demo_leave import load_leave
from portal.demo_repair import load_repair
from portal.models import ProcurementRequest, Ticket, TicketComment
from portal.models.repair import OPEN_STATUSES
from portal.selectors import procurement as procurement_selectors
from portal.selectors import repair as selectors

pytestmark = pytest.mark.django_db


def test_demo_repair_loads_once_with_something_to_see():
    out = StringIO()
    load_users(out)
    load_leave(out)
    load_repair(out)
    tickets, requests = Ticket.objects.count(), ProcurementRequest.objects.count()
    load_repair(out)
    assert "already loaded" in out.getvalue()
    assert Ticket.objects.count() == tickets == 30
    assert ProcurementRequest.objects.count() == requests == 8
    assert set(Ticket.objects.values_list("status", flat=True)) == {
        "new",
        "in_progress",
        "resolved",
        "closed",
    }
    assert Ticket.objects.values("team").distinct().count() == 3
    assert Ticket.objects.values("priority").distinct().count() == 4
    assert TicketComment.objects.count() > 10
    now = timezone.now()
    assert Ticket.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now).exists()
    assert Ticket.objects.filter(status__in=OPEN_STATUSES, due_at__gte=now).exists()
    assert Ticket.objects.filter(rating__isnull=False).count() == 6
    # a requester with open tickets, a team member with a queue
    chen = User.objects.get(username="chen.yiming")
    assert selectors.my_tickets(chen).filter(status__in=OPEN_STATUSES).exists()
    assert selectors.queue(User.objects.get(username="wang.jianguo")).exists()
    assert selectors.queue(User.objects.get(username="liu.chengyou")).exists()
    # procurement across the thresholds, each with its registered document and chain
    assert set(ProcurementRequest.objects.values_list("threshold__code", flat=True)) == {
        "small",
        "public",
        "huge",
    }
    assert set(ProcurementRequest.objects.values_list("status", flat=True)) == {
        "pending",
        "approved",
        "returned",
        "cancelled",
    }
    for request in ProcurementRequest.objects.select_related("document"):
        assert request.document.number
        assert procurement_selectors.chain(request) is not None
    # an approver with an approval waiting
    wang = User.objects.get(username="wang.jianguo")
    waiting = SignOffStep.objects.filter(
        status=StepStatus.PENDING,
        chain__target_content_type__model="procurementrequest",
    )
    assert waiting.count() == 4
    assert waiting.filter(assignee=wang).count() == 3
