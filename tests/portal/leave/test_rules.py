"""Issue #10's leave rules: the deputy must not be on leave during the request (service, page,
API, amendment); a document by length (sick leave from 2 working days); the yearly carry-over
as a beat job (through the task, on 1 January)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time
from rest_framework.test import APIClient

from core.models import AuditLogEntry
from portal import tasks
from portal.models import LeaveBalance, LeaveRequest
from portal.services import leave as services
from portal.tasks import BEAT

from .conftest import taipei

pytestmark = pytest.mark.usefixtures("leave_clock")

DAY_30 = (taipei(2026, 12, 30, 8, 30), taipei(2026, 12, 30, 17, 30))


@pytest.fixture
def third(make_user):
    return make_user(username="third")


@pytest.fixture
def setting(types, owner, colleague, third, head, give):
    give(owner, types["annual"], 7)
    give(colleague, types["annual"], 7)
    return types


@pytest.fixture
def colleague_away(setting, colleague, third):
    """The colleague's own leave on the afternoon of 30 December (waiting for its deputy)."""
    return services.leave_request_create(
        actor=colleague,
        leave_type=setting["annual"],
        start=taipei(2026, 12, 30, 13, 30),
        end=taipei(2026, 12, 30, 17, 30),
        reason="私事",
        deputy=third,
    )


def ask(owner, deputy, leave_type, start, end, **kwargs):
    return services.leave_request_create(
        actor=owner,
        leave_type=leave_type,
        start=start,
        end=end,
        reason="家中事務",
        deputy=deputy,
        **kwargs,
    )


# --- the deputy on leave ----------------------------------------------------------------


def test_a_deputy_on_leave_during_the_span_is_refused_naming_the_conflict(
    setting, owner, colleague, colleague_away
):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        ask(owner, colleague, setting["annual"], *DAY_30)
    message = error.value.message_dict["deputy"][0]
    assert colleague_away.number in message and colleague.display_name in message
    assert "2026-12-30 13:30" in message
    assert LeaveRequest.objects.filter(user=owner).count() == 0
    assert LeaveBalance.objects.get(user=owner, year=2026).used_hours == 0


def test_a_deputy_on_leave_at_another_time_or_whose_leave_ended_is_accepted(
    setting, owner, colleague, colleague_away
):
    morning = ask(
        owner,
        colleague,
        setting["annual"],
        taipei(2026, 12, 30, 8, 30),
        taipei(2026, 12, 30, 12, 30),
    )
    assert morning.deputy == colleague
    services.leave_cancel(request=colleague_away, actor=colleague)
    afternoon = ask(
        owner,
        colleague,
        setting["annual"],
        taipei(2026, 12, 30, 13, 30),
        taipei(2026, 12, 30, 17, 30),
    )
    assert afternoon.deputy == colleague


def test_an_amendment_onto_the_deputys_leave_is_refused_and_the_old_request_kept(
    setting, owner, colleague, colleague_away
):
    first = ask(
        owner,
        colleague,
        setting["annual"],
        taipei(2026, 12, 31, 8, 30),
        taipei(2026, 12, 31, 17, 30),
    )
    with pytest.raises(ValidationError) as error:
        services.leave_amend(request=first, actor=owner, start=DAY_30[0], end=DAY_30[1])
    assert "deputy" in error.value.message_dict
    first.refresh_from_db()
    assert first.holds_balance and not LeaveRequest.objects.filter(amends=first).exists()
    assert LeaveBalance.objects.get(user=owner, year=2026).used_hours == Decimal(8)


def test_the_page_shows_the_deputy_conflict_on_the_deputy_field(
    client, setting, owner, colleague, colleague_away
):
    client.force_login(owner)
    data = {
        "leave_type": setting["annual"].pk,
        "start_date": "2026-12-30",
        "start_time": "08:30",
        "end_date": "2026-12-30",
        "end_time": "17:30",
        "reason": "家中事務",
        "deputy": colleague.pk,
    }
    with translation.override("en"):
        answer = client.post(reverse("portal:leave_new"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert colleague_away.number in " ".join(answer.context["form"].errors["deputy"])
    assert not LeaveRequest.objects.filter(user=owner).exists()


def test_the_api_answers_400_on_the_deputy_field(setting, owner, colleague, colleague_away):
    api = APIClient()
    api.force_authenticate(owner)
    body = {
        "leave_type": "annual",
        "start": "2026-12-30T08:30:00+08:00",
        "end": "2026-12-30T17:30:00+08:00",
        "reason": "家中事務",
        "deputy": colleague.pk,
    }
    answer = api.post("/api/v1/portal/leave/requests/", body, format="json")
    assert answer.status_code == 400
    assert colleague_away.number in str(answer.json()["error"]["fields"]["deputy"])


# --- a document by length ---------------------------------------------------------------


def test_sick_leave_needs_a_document_from_two_working_days(
    setting, owner, colleague, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sick = setting["sick"]
    assert (sick.document_after_days, sick.needs_document) == (2, False)
    one_day = ask(owner, colleague, sick, taipei(2026, 12, 29, 8, 30), taipei(2026, 12, 29, 17, 30))
    assert not one_day.attachment
    # 30 December afternoon to 31 December morning: 8 hours, but on two working days.
    span = (taipei(2026, 12, 30, 13, 30), taipei(2026, 12, 31, 12, 30))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        ask(owner, colleague, sick, *span)
    assert error.value.message_dict["attachment"] == [
        "Sick leave of 2 working days or more needs a document (a certificate); attach it."
    ]
    pdf = SimpleUploadedFile("診斷證明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert ask(owner, colleague, sick, *span, attachment=pdf).attachment


def test_the_holiday_between_does_not_count_as_a_working_day(setting, owner, colleague):
    sick = setting["sick"]
    # Thursday 31 December afternoon, then Friday 1 January (holiday): one working day.
    request = ask(owner, colleague, sick, taipei(2026, 12, 31, 13, 30), taipei(2027, 1, 1, 17, 30))
    assert request.hours == Decimal(4)


def test_without_a_length_needs_document_decides_as_before(setting, owner, colleague):
    marriage = setting["marriage"]
    assert marriage.document_after_days is None and marriage.needs_document
    with pytest.raises(ValidationError) as error:
        ask(owner, colleague, marriage, taipei(2026, 12, 29, 8, 30), taipei(2026, 12, 29, 17, 30))
    assert "attachment" in error.value.message_dict


# --- the carry-over job -----------------------------------------------------------------


def test_the_carry_over_runs_early_on_1_january():
    entry = BEAT["portal-leave-carry-over"]
    assert entry["task"] == "portal.tasks.carry_over_leave"
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({0}, {30})
    assert (schedule.day_of_month, schedule.month_of_year) == ({1}, {1})


def test_the_task_carries_the_year_just_ended_once(setting, owner, give):
    annual = setting["annual"]  # carries over at most 7 days
    balance = LeaveBalance.objects.get(user=owner, leave_type=annual, year=2026)
    balance.used_hours = Decimal(16)  # 5 days left
    balance.save()
    with freeze_time("2027-01-01 00:30:00+08:00"):  # 2026-12-31 16:30 UTC
        assert tasks.carry_over_leave.delay().get() == 2  # the owner's and the colleague's
        assert tasks.carry_over_leave.delay().get() == 2
    nxt = LeaveBalance.objects.get(user=owner, leave_type=annual, year=2027)
    assert nxt.carried_hours == Decimal(40)
    assert LeaveBalance.objects.filter(user=owner, leave_type=annual, year=2027).count() == 1
    entries = AuditLogEntry.objects.filter(message__startswith="leave: carried over 2026")
    assert entries.count() == 2
