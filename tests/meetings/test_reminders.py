"""Reminders on the right days (frozen time): filing reminders 3 and 1 days before and on
the deadline's morning, once each; chasing of tracked cases; the weekly digest."""

import datetime as dt

import pytest

from meetings import services, tasks
from meetings.models import CaseReminder, FilingReminder, UnitReport
from notifications.models import Notice
from tests.accounts.factories import unit

from .conftest import at


@pytest.mark.parametrize(
    ("day", "expected"),
    [(6, 0), (7, 1), (8, 0), (9, 1), (10, 1), (11, 0)],
)
def test_filing_reminders_on_the_series_days(owner, meeting, day, expected):
    with at(2026, 3, day, 8, 0):
        tasks.send_filing_reminders.delay()
    assert FilingReminder.objects.filter(unit=unit("IM")).count() == expected


def test_a_reminder_is_sent_once_a_day(owner, meeting):
    with at(2026, 3, 9, 8, 0):
        assert services.filing_reminders_send() == 2
        assert services.filing_reminders_send() == 0


def test_units_that_filed_are_not_reminded(owner, meeting):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>已填</p>")
    with at(2026, 3, 7, 8, 0):
        services.filing_reminders_send()
    assert list(FilingReminder.objects.values_list("unit__code", flat=True)) == ["BLI"]


def test_reminder_days_are_configurable_per_series(owner, series, meeting):
    series.reminder_days = "5"
    series.save()
    with at(2026, 3, 5, 8, 0):
        assert services.filing_reminders_send() == 2
    with at(2026, 3, 7, 8, 0):
        assert services.filing_reminders_send() == 0


def test_the_reminder_reaches_the_filer_and_closes_when_filed(owner, meeting):
    with at(2026, 3, 9, 8, 0):
        services.filing_reminders_send()
    todo = Notice.objects.filter(recipient=owner, kind="todo", state="unread")
    assert todo.count() == 2  # filing opened + reminder
    with at(2026, 3, 9, 9, 0):
        services.report_save(
            report=UnitReport.objects.get(meeting=meeting, unit=unit("IM")),
            actor=owner,
            summary="<p>ok</p>",
        )
    assert not Notice.objects.filter(recipient=owner, kind="todo", state="unread").exists()


@pytest.fixture
def case(owner, meeting, secretary):
    with at(2026, 3, 12, 10, 0):
        return services.directive_record(
            meeting=meeting,
            actor=secretary,
            directive="完成資安稽核",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 4, 10),
        )


@pytest.mark.parametrize(
    ("day", "kind"),
    [((2026, 4, 7), "before"), ((2026, 4, 11), "overdue"), ((2026, 4, 18), "overdue")],
)
def test_case_chasing_before_and_after_the_due_date(case, owner, day, kind):
    with at(*day, 8, 15):
        assert tasks.send_case_reminders.delay().get() == 1
    assert list(CaseReminder.objects.values_list("kind", flat=True)) == [kind]
    assert Notice.objects.filter(recipient=owner, title__contains=case.number).count() == 2


@pytest.mark.parametrize("day", [(2026, 4, 6), (2026, 4, 10), (2026, 4, 12)])
def test_no_chasing_on_other_days(case, day):
    with at(*day, 8, 15):
        assert services.case_reminders_send() == 0


def test_closed_cases_are_not_chased(case, make_meeting, chair):
    second = make_meeting(
        starts=(2026, 4, 9, 9, 30), deadline=(2026, 4, 7, 17, 0), now=(2026, 3, 20, 9, 0)
    )
    with at(2026, 4, 9, 10, 0):
        services.case_decide(case=case, meeting=second, actor=chair, decision="close")
    with at(2026, 4, 11, 8, 15):
        assert services.case_reminders_send() == 0


def test_weekly_digest_to_controllers_on_mondays_once(case, controller):
    with at(2026, 4, 19, 8, 30):  # a Sunday
        assert services.controller_digest_send() is False
    with at(2026, 4, 20, 8, 30):  # Monday
        assert tasks.send_controller_digest.delay().get() is True
        assert services.controller_digest_send() is False
    digest = Notice.objects.get(recipient=controller, kind="information")
    assert "1" in digest.title
