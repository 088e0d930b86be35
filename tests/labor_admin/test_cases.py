"""Intake, numbering, deadlines, schema validation, transitions and who may make them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import WorkCalendarDay
from labor_admin.models import Case, CaseTransition, CaseType
from labor_admin.selectors import board
from labor_admin.services import case_transition, case_update, due_date
from notifications.models import Notice

from .factories import make_case

pytestmark = pytest.mark.django_db


def _transition(case, to_code):
    return CaseTransition.objects.get(case_type=case.case_type, from_status=case.status,
                                      to_status__code=to_code)  # fmt: skip


def test_the_seeded_case_types_are_the_seventeen_subsystems():
    assert CaseType.objects.count() == 17
    assert set(CaseType.objects.values_list("name_zh", flat=True)) >= {
        "勞資爭議調解", "勞動檢查", "勞動條件申訴", "職業災害勞工", "工會登記", "工作規則核備",
        "大量解僱通報", "積欠工資墊償", "性別平等申訴", "身心障礙者就業", "外籍勞工",
        "職工福利委員會", "勞工退休準備金", "技術生", "勞工教育", "就業服務", "勞工志工",
    }  # fmt: skip
    for case_type in CaseType.objects.all():
        assert case_type.initial_status() is not None, case_type.code


def test_a_case_is_numbered_per_unit_and_roc_year(la_owner, office, sibling, la_outsider):
    first = make_case(unit=office, actor=la_owner)
    second = make_case(unit=office, actor=la_owner)
    other = make_case(unit=sibling, actor=la_outsider)
    last_year = make_case(unit=office, actor=la_owner, received_on=dt.date(2025, 12, 30))
    assert first.number == "LA63000-LI-115-000001"
    assert second.number == "LA63000-LI-115-000002"
    assert other.number == "LA65000-115-000001"
    assert last_year.number == "LA63000-LI-114-000001"


def test_the_county_defaults_to_the_units_county(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    assert case.county.code == "63000"
    assert case.industry_sector == "C"
    assert case.status.code == "received" and case.is_open


def test_calendar_deadline(la_owner, office):
    case = make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 3, 2))
    assert case.due_on == dt.date(2026, 4, 13)  # 42 calendar days


def test_working_day_deadline_skips_weekends_and_holidays(db):
    WorkCalendarDay.objects.update_or_create(
        date=dt.date(2026, 4, 3), defaults={"is_workday": False, "name": "兒童節補假"}
    )
    WorkCalendarDay.objects.update_or_create(
        date=dt.date(2026, 4, 6), defaults={"is_workday": False, "name": "清明節補假"}
    )
    inspection = CaseType.objects.get(code="INS")  # 30 working days
    inspection.deadline_days = 5
    # Thu 2 Apr + 5 working days, Fri 3 and Mon 6 off: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13.
    assert due_date(inspection, dt.date(2026, 4, 2)) == dt.date(2026, 4, 13)


def test_only_a_writer_of_the_unit_may_take_in_a_case(la_outsider, office, ministry):
    with pytest.raises(PermissionDenied):
        make_case(unit=office, actor=la_outsider)
    with pytest.raises(PermissionDenied):
        make_case(unit=office, actor=ministry)
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "key", "fragment"),
    [
        ({"workers": 3}, "data.dispute_kind", "爭議類別"),
        ({"dispute_kind": "bonus", "workers": 3}, "data.dispute_kind", "bonus"),
        ({"dispute_kind": "wage", "workers": "three"}, "data.workers", "涉及勞工人數"),
        ({"dispute_kind": "wage", "workers": 3, "meeting_date": "soon"}, "data.meeting_date",
         "調解會議日期"),
        ({"dispute_kind": "wage", "workers": 3, "claimed_amount": -5}, "data.claimed_amount",
         "請求金額"),
        ({"dispute_kind": "wage", "workers": 3, "colour": "red"}, "data.colour", "colour"),
    ],
)  # fmt: skip
def test_type_fields_are_checked_with_messages_naming_the_field(
    la_owner, office, data, key, fragment
):
    with pytest.raises(ValidationError) as caught:
        make_case(unit=office, actor=la_owner, data=data)
    assert key in caught.value.message_dict
    assert fragment in caught.value.message_dict[key][0]
    assert Case.objects.count() == 0


def test_dates_in_type_fields_are_stored_as_iso(la_owner, office):
    case = make_case(
        unit=office,
        actor=la_owner,
        data={"dispute_kind": "wage", "workers": "3", "meeting_date": "115/3/20"},
    )
    assert case.data == {"dispute_kind": "wage", "workers": 3, "meeting_date": "2026-03-20"}


def test_a_bad_business_id_is_refused_naming_the_field(la_owner, office):
    with pytest.raises(ValidationError) as caught:
        make_case(unit=office, actor=la_owner, employer_business_id="88117126")
    assert "employer_business_id" in caught.value.message_dict


def test_transitions_follow_the_workflow_and_its_roles(la_owner, la_colleague, office):
    case = make_case(unit=office, actor=la_colleague)
    schedule = _transition(case, "scheduled")
    case = case_transition(case=case, transition=schedule, actor=la_colleague)
    assert case.status.code == "scheduled"
    settle = _transition(case, "settled")
    with pytest.raises(PermissionDenied):  # a supervisor's transition
        case_transition(case=case, transition=settle, actor=la_colleague)
    case = case_transition(case=case, transition=settle, actor=la_owner)
    assert case.status.code == "settled"
    assert not case.is_open and case.closed_on == dt.date(2026, 3, 16)
    assert case.handling_days == 14
    assert [e.to_status.code for e in case.events.all()] == ["received", "scheduled", "settled"]


def test_a_transition_from_another_status_is_refused(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    settle = CaseTransition.objects.get(case_type=case.case_type, to_status__code="settled")
    with pytest.raises(ValidationError) as caught:
        case_transition(case=case, transition=settle, actor=la_owner)
    assert "transition" in caught.value.message_dict


def test_a_comment_is_required_where_the_type_says_so(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    withdraw = _transition(case, "withdrawn")
    with pytest.raises(ValidationError) as caught:
        case_transition(case=case, transition=withdraw, actor=la_owner)
    assert "comment" in caught.value.message_dict
    case = case_transition(case=case, transition=withdraw, actor=la_owner, comment="申請人撤回")
    assert case.status.code == "withdrawn"


def test_an_outsider_may_not_move_or_edit_a_case(la_owner, la_outsider, office):
    case = make_case(unit=office, actor=la_owner)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, transition=_transition(case, "scheduled"), actor=la_outsider)
    with pytest.raises(PermissionDenied):
        case_update(case=case, actor=la_outsider, values={"subject": "改"})


def test_a_new_handler_gets_a_to_do(la_owner, la_colleague, office):
    case = make_case(unit=office, actor=la_owner)
    case_update(case=case, actor=la_owner, values={"handler": la_colleague})
    notice = Notice.objects.get(recipient=la_colleague)
    assert case.number in notice.title
    assert notice.kind == "todo"


def test_a_handler_outside_the_unit_is_refused(la_owner, la_outsider, office):
    case = make_case(unit=office, actor=la_owner)
    with pytest.raises(ValidationError) as caught:
        case_update(case=case, actor=la_owner, values={"handler": la_outsider})
    assert "handler" in caught.value.message_dict


def test_an_edit_merges_and_revalidates_the_type_fields(la_owner, office):
    case = make_case(unit=office, actor=la_owner)
    case = case_update(case=case, actor=la_owner, values={"data": {"claimed_amount": "120000"}})
    assert case.data["claimed_amount"] == 120000 and case.data["dispute_kind"] == "wage"
    with pytest.raises(ValidationError) as caught:
        case_update(case=case, actor=la_owner, values={"data": {"workers": "many"}})
    assert "data.workers" in caught.value.message_dict


def test_board_counts_equal_direct_counts(la_owner, la_outsider, office, sibling, ministry):
    make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 3, 16))
    make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 1, 5))  # overdue
    closed = make_case(unit=sibling, actor=la_outsider, received_on=dt.date(2026, 3, 6))
    for to in ("scheduled", "settled"):
        closed = case_transition(case=closed, transition=_transition(closed, to),
                                 actor=la_outsider if to == "scheduled" else None)  # fmt: skip
    figures = board(ministry, today=dt.date(2026, 3, 16))
    total = figures["total"]
    assert total["received_today"] == 1
    assert total["received_month"] == 2
    assert total["closed_today"] == total["closed_month"] == 1
    assert total["open"] == 2 and total["overdue"] == 1
    assert total["average_days"] == 10.0
    by_county = {row["county"].code: row for row in figures["by_county"]}
    assert by_county["63000"]["open"] == 2 and by_county["65000"]["closed_month"] == 1
