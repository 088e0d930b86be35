"""The leave pages, the API and the admin: the flow, who sees what (owner, deputy, unit head,
colleague, outsider), refusals naming the field, bounded queries."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from documents.services import signoff_approve
from portal import models
from portal.choices import LeaveStatus
from portal.models import LeaveBalance, LeaveRequest
from portal.services import leave as services
from tests.accounts.mfa_support import force_login_verified

from .conftest import pending_step, taipei

pytestmark = pytest.mark.usefixtures("leave_clock")


@pytest.fixture
def setting(types, owner, colleague, head, give):
    give(owner, types["annual"], 7)
    return types


@pytest.fixture
def leave(setting, owner, colleague):
    return services.leave_request_create(
        actor=owner,
        leave_type=setting["annual"],
        start=taipei(2026, 12, 29, 8, 30),
        end=taipei(2026, 12, 29, 12, 30),
        reason="看牙醫",
        deputy=colleague,
    )


def form(types, deputy, **extra):
    data = {
        "leave_type": types["annual"].pk,
        "start_date": "2026-12-30",
        "start_time": "08:30",
        "end_date": "2026-12-30",
        "end_time": "17:30",
        "reason": "家中事務",
        "deputy": deputy.pk,
    }
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    for name in ("portal:leave", "portal:leave_new", "portal:leave_team"):
        answer = client.get(reverse(name))
        assert answer.status_code == 302
        assert "/accounts/login/" in answer["Location"]


def test_request_deputy_accepts_head_approves_through_the_pages(
    client, setting, owner, colleague, head
):
    client.force_login(owner)
    answer = client.post(reverse("portal:leave_new"), form(setting, colleague))
    assert answer.status_code == 302
    leave = LeaveRequest.objects.get(user=owner)
    assert answer["Location"] == leave.get_absolute_url()
    client.force_login(colleague)
    assert leave.number in client.get(reverse("portal:leave")).content.decode()
    client.post(reverse("portal:leave_accept", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING
    signoff_approve(step=pending_step(leave, head), actor=head)
    client.force_login(head)
    answer = client.get(reverse("portal:leave_team") + "?month=2026-12")
    assert answer.status_code == 200
    assert owner.display_name in answer.content.decode()
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


def test_the_form_names_the_field_of_a_refusal(client, setting, owner, colleague, outsider):
    client.force_login(owner)
    answer = client.post(reverse("portal:leave_new"), form(setting, outsider))
    assert answer.status_code == 200
    assert "deputy" in answer.context["form"].errors
    answer = client.post(reverse("portal:leave_new"), form(setting, colleague, end_time="09:00"))
    assert "start_date" in answer.context["form"].errors  # half an hour: whole hours only
    assert client.post(reverse("portal:leave_new"), form(setting, colleague)).status_code == 302
    answer = client.post(reverse("portal:leave_new"), form(setting, colleague))
    assert "start_date" in answer.context["form"].errors  # overlaps the request above
    answer = client.post(reverse("portal:leave_new"), form(setting, colleague, reason=" "))
    assert "reason" in answer.context["form"].errors
    assert LeaveRequest.objects.count() == 1


def test_outsider_and_colleague_get_404_the_deputy_and_head_see_it(
    client, leave, owner, colleague, head, outsider, make_user
):
    other = make_user(username="other")
    for user in (outsider, other):
        client.force_login(user)
        assert client.get(leave.get_absolute_url()).status_code == 404
        assert client.post(reverse("portal:leave_accept", args=[leave.pk])).status_code == 404
    for user in (owner, colleague, head):
        client.force_login(user)
        assert client.get(leave.get_absolute_url()).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("portal:leave_team")).status_code == 404


def test_cancel_through_the_page_returns_the_hours(client, leave, owner, colleague):
    client.force_login(colleague)
    client.post(reverse("portal:leave_cancel", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.AWAITING_DEPUTY
    client.force_login(owner)
    client.post(reverse("portal:leave_cancel", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    assert LeaveBalance.objects.get(user=owner).used_hours == 0


def test_my_leave_lists_a_page_of_history_in_bounded_queries(
    client, setting, owner, colleague, django_assert_max_num_queries
):
    for day in (28, 29, 30, 31):
        services.leave_request_create(
            actor=owner,
            leave_type=setting["annual"],
            start=taipei(2026, 12, day, 13, 30),
            end=taipei(2026, 12, day, 14, 30),
            reason="r",
            deputy=colleague,
        )
    client.force_login(owner)
    with django_assert_max_num_queries(14):
        answer = client.get(reverse("portal:leave"))
    assert answer.content.decode().count("L2026-") == 4


def test_api_balances_are_the_callers_own(setting, owner, colleague):
    api = APIClient()
    assert api.get("/api/v1/portal/leave/balances/").status_code == 401
    api.force_authenticate(owner)
    rows = api.get("/api/v1/portal/leave/balances/?year=2026").json()["results"]
    assert [(r["leave_type"], r["available_days"]) for r in rows] == [("annual", "7.00")]
    api.force_authenticate(colleague)
    assert api.get("/api/v1/portal/leave/balances/?year=2026").json()["results"] == []
    assert api.get("/api/v1/portal/leave/balances/?year=abc").status_code == 400


def test_api_request_made_and_refusals_in_the_error_shape(setting, owner, colleague, outsider):
    api = APIClient()
    api.force_authenticate(owner)
    body = {
        "leave_type": "annual",
        "start": "2026-12-30T08:30:00+08:00",
        "end": "2026-12-30T12:30:00+08:00",
        "reason": "家中事務",
        "deputy": colleague.pk,
    }
    answer = api.post("/api/v1/portal/leave/requests/", body, format="json")
    assert answer.status_code == 201
    assert (answer.json()["hours"], answer.json()["status"]) == ("4.00", "deputy")
    answer = api.post(
        "/api/v1/portal/leave/requests/", {**body, "deputy": outsider.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "deputy" in answer.json()["error"]["fields"]
    answer = api.post("/api/v1/portal/leave/requests/", body, format="json")
    assert answer.status_code == 400
    assert "start" in answer.json()["error"]["fields"]
    answer = api.post(
        "/api/v1/portal/leave/requests/",
        {**body, "start": "2026-12-31T08:30:00+08:00", "end": "2027-01-08T17:30:00+08:00"},
        format="json",
    )
    assert answer.status_code == 400
    assert LeaveBalance.objects.get(user=owner, year=2026).used_hours == Decimal(4)


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


def test_every_leave_model_is_in_the_admin_and_requests_are_read_only(client, superuser, leave):
    for model in (models.LeaveType, models.LeaveBalance, models.LeaveRequest):
        assert model in admin.site._registry
    force_login_verified(client, superuser)
    for name in ("leavetype", "leavebalance", "leaverequest"):
        assert client.get(reverse(f"admin:portal_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_leaverequest_add")).status_code == 403


def test_my_requests_lists_my_leave_and_not_a_colleagues(client, leave, owner, colleague):
    client.force_login(owner)
    answer = client.get(reverse("portal:my_requests"))
    assert answer.status_code == 200
    assert leave.number in answer.content.decode()
    client.force_login(colleague)
    assert leave.number not in client.get(reverse("portal:my_requests")).content.decode()
