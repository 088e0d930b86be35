"""The board's counters equal a recount of the cases after a random sequence of intakes,
edits, transitions, closings and reopenings, across midnight; the rebuild command recomputes
them; the board reads them."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from core.models import County
from labor_admin.choices import ActorRole
from labor_admin.models import Case, CaseDayCount, CaseOpenCount, CaseStatus, CaseTransition
from labor_admin.selectors import board
from labor_admin.services import case_transition, case_update

from .factories import make_case

pytestmark = pytest.mark.django_db

TYPES = ("MED", "CMP", "VOL")


def _recount() -> tuple[dict, dict]:
    """The counters as they must be, counted case by case in Python."""
    days: dict = defaultdict(Counter)
    open_: Counter = Counter()
    for case in Case.objects.all():
        where = (case.unit_id, case.county_id, case.case_type_id)
        days[(case.received_on, *where)]["received"] += 1
        if case.is_open:
            open_[where] += 1
        else:
            days[(case.closed_on, *where)]["closed"] += 1
            days[(case.closed_on, *where)]["handling_days"] += case.handling_days
    return (
        {k: dict(v) for k, v in days.items() if any(v.values())},
        {k: n for k, n in open_.items() if n},
    )


def _stored() -> tuple[dict, dict]:
    days = {}
    for row in CaseDayCount.objects.all():
        values = {"received": row.received, "closed": row.closed,
                  "handling_days": row.handling_days}  # fmt: skip
        values = {k: v for k, v in values.items() if v}
        if values:
            days[(row.day, row.unit_id, row.county_id, row.case_type_id)] = values
    open_ = {
        (r.unit_id, r.county_id, r.case_type_id): r.open_cases
        for r in CaseOpenCount.objects.all()
        if r.open_cases
    }
    return days, open_


def _add_reopenings():
    """A 'reopen' transition from every final status back to the initial one (types as data)."""
    for final in CaseStatus.objects.filter(is_final=True, case_type__code__in=TYPES):
        initial = CaseStatus.objects.get(case_type=final.case_type, is_initial=True)
        CaseTransition.objects.get_or_create(
            case_type=final.case_type,
            from_status=final,
            to_status=initial,
            defaults={
                "name_zh": "重新開啟",
                "name_en": "Reopen",
                "actor_role": ActorRole.SUPERVISOR,
            },
        )


def _step(rng, cases, units, counties):
    action = rng.random()
    if action < 0.35 or not cases:
        unit = rng.choice(units)
        received = dt.date(2026, 3, 16) - dt.timedelta(days=rng.randint(0, 40))
        cases.append(make_case(unit=unit, type_code=rng.choice(TYPES), received_on=received))
        return
    case = Case.objects.select_related("status").get(pk=rng.choice(cases).pk)
    if action < 0.5 and case.is_open:
        received = case.received_on - dt.timedelta(days=rng.randint(0, 5))
        case_update(case=case, actor=None,
                    values={"received_on": received, "county": rng.choice(counties)})  # fmt: skip
        return
    options = list(case.status.transitions_out.select_related("to_status"))
    if options:
        case_transition(case=case, transition=rng.choice(options), actor=None, comment="ok")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_equal_a_recount_after_random_work_across_midnight(
    seed, office, sibling, ministry
):
    _add_reopenings()
    rng = random.Random(seed)
    units = [office, sibling]
    counties = list(County.objects.values_list("code", flat=True)[:4])
    cases: list[Case] = []
    moments = [dt.datetime(2026, 3, 16, 15, 50, tzinfo=dt.UTC),  # 23:50 in Taipei
               dt.datetime(2026, 3, 16, 16, 10, tzinfo=dt.UTC),  # 00:10 the next day
               dt.datetime(2026, 3, 17, 3, 0, tzinfo=dt.UTC)]  # fmt: skip
    for moment in moments:
        with freeze_time(moment):
            for _ in range(40):
                _step(rng, cases, units, counties)
    expected_days, expected_open = _recount()
    assert Case.objects.filter(is_open=False).exists() and Case.objects.filter(is_open=True)
    assert Case.objects.filter(closed_on=dt.date(2026, 3, 17)).exists()  # after midnight
    assert _stored() == (expected_days, expected_open)

    with freeze_time(moments[-1]):
        figures = board(ministry, today=dt.date(2026, 3, 17))
    total = figures["total"]
    today = dt.date(2026, 3, 17)
    assert total["received_today"] == Case.objects.filter(received_on=today).count()
    assert total["closed_today"] == Case.objects.filter(closed_on=today).count()
    closed_month = Case.objects.filter(closed_on__gte=dt.date(2026, 3, 1), closed_on__lte=today)
    assert total["closed_month"] == closed_month.count()
    assert total["open"] == Case.objects.filter(is_open=True).count()
    assert total["overdue"] == Case.objects.filter(is_open=True, due_on__lt=today).count()
    n, days = closed_month.count(), sum(closed_month.values_list("handling_days", flat=True))
    assert total["average_days"] == (round(days / n, 1) if n else None)


def test_the_rebuild_command_recomputes_the_counters(office, sibling):
    for n in range(5):
        make_case(unit=office if n % 2 else sibling, received_on=dt.date(2026, 3, 10 + n))
    expected = _stored()
    CaseDayCount.objects.update(received=99)
    CaseOpenCount.objects.all().delete()
    assert _stored() != expected
    call_command("rebuild_labor_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert _stored() == expected == _recount()


def test_the_board_reads_the_counters_not_the_cases(ministry, office):
    make_case(unit=office, received_on=dt.date(2026, 3, 16))
    CaseDayCount.objects.update(received=7)
    assert board(ministry, today=dt.date(2026, 3, 16))["total"]["received_today"] == 7


def test_the_counters_keep_the_unit_isolation(la_owner, la_outsider, office, sibling):
    make_case(unit=office, actor=la_owner, received_on=dt.date(2026, 3, 16))
    make_case(unit=sibling, actor=la_outsider, received_on=dt.date(2026, 3, 16))
    make_case(unit=sibling, actor=la_outsider, received_on=dt.date(2026, 3, 16))
    assert board(la_owner, today=dt.date(2026, 3, 16))["total"]["received_today"] == 1
    assert board(la_outsider, today=dt.date(2026, 3, 16))["total"]["open"] == 2
