"""The demo loader, the daily facts for the decision app, overdue reminders, the unit
loader command and the periodic jobs."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import Organization
from labor_admin.models import Case, CaseReminder, CaseTransition, DailyFact
from labor_admin.services import case_transition, daily_facts_build, overdue_remind
from labor_admin.tasks import BEAT
from notifications.models import Notice

from .factories import make_case

pytestmark = pytest.mark.django_db


def test_load_labor_units_command_is_idempotent(db, tmp_path):
    out = io.StringIO()
    call_command("load_labor_units", stdout=out)
    assert "created" in out.getvalue()
    taipei = Organization.objects.get(code="LA63000")
    assert taipei.county.code == "63000" and taipei.parent is None
    assert Organization.objects.get(code="LA63000-LI").parent == taipei
    assert Organization.objects.get(code="OSHA-N").parent.code == "OSHA"
    count = Organization.objects.count()
    call_command("load_labor_units", stdout=io.StringIO())
    assert Organization.objects.count() == count


def test_a_bad_unit_file_writes_nothing(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,parent_code,name_zh,name_en,kind,county_code\n"
        "X1,,某縣政府勞工處,,local_office,63000\n"
        "X2,NOPE,某辦公室,,local_office,99999\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_labor_units", str(path), stdout=io.StringIO())
    assert "line 3" in str(caught.value)
    assert not Organization.objects.filter(code="X1").exists()


def test_daily_facts_match_the_cases(la_owner, office, la_outsider, sibling):
    day = dt.date(2026, 3, 10)
    a = make_case(unit=office, actor=la_owner, received_on=day)
    make_case(unit=office, actor=la_owner, received_on=day)
    make_case(unit=sibling, actor=la_outsider, received_on=dt.date(2026, 1, 2))  # overdue
    rows = daily_facts_build(day=day)
    assert rows == 2
    assert sum(DailyFact.objects.filter(day=day).values_list("received", flat=True)) == 2
    assert sum(DailyFact.objects.filter(day=day).values_list("open_cases", flat=True)) == 3
    assert sum(DailyFact.objects.filter(day=day).values_list("overdue", flat=True)) == 1
    assert daily_facts_build(day=day) == 2  # rebuilt, not doubled
    assert DailyFact.objects.filter(day=day).count() == 2
    fact = DailyFact.objects.get(day=day, unit=office)
    assert fact.industry_sector == "C" and fact.case_type_id == a.case_type_id


def test_closed_cases_count_with_their_handling_days(la_owner, office):
    case = make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 3, 6))
    for to in ("scheduled", "settled"):
        t = CaseTransition.objects.get(from_status=case.status, to_status__code=to)
        case = case_transition(case=case, transition=t, actor=la_owner)
    daily_facts_build(day=dt.date(2026, 3, 16))
    fact = DailyFact.objects.get(day=dt.date(2026, 3, 16), closed=1)
    assert fact.handling_days == 10


def test_an_overdue_case_is_reminded_once_a_day(la_owner, office):
    case = make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 1, 5))
    Case.objects.filter(pk=case.pk).update(handler=la_owner)
    today = dt.date(2026, 3, 16)
    assert overdue_remind(case_id=case.pk, today=today) is True
    assert overdue_remind(case_id=case.pk, today=today) is False
    assert CaseReminder.objects.filter(case=case).count() == 1
    assert Notice.objects.filter(recipient=la_owner, title__contains="逾期").count() == 1


def test_the_jobs_are_scheduled_with_expiry():
    tasks = {entry["task"] for entry in BEAT.values()}
    assert tasks == {
        "labor_admin.tasks.build_daily_facts",
        "labor_admin.tasks.send_overdue_reminders",
    }
    assert all(entry["options"]["expires"] for entry in BEAT.values())
