"""Two simultaneous leave requests that together exceed the balance: one is refused (on
PostgreSQL, two threads, two connections, started together)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import UnitOfficer
from portal.demo_leave import leave_setup
from portal.models import LeaveBalance, LeaveRequest, LeaveType
from portal.services import leave as services
from tests.accounts.factories import unit

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def span(day: dt.date):
    return (
        timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30))),
        timezone.make_aware(dt.datetime.combine(day, dt.time(17, 30))),
    )


@freeze_time("2026-03-02 09:00:00+08:00")
def test_two_simultaneous_requests_exceeding_the_balance_one_is_refused(make_user):
    leave_setup()
    owner, deputy, head = make_user(), make_user(), make_user()
    UnitOfficer.objects.create(unit=unit("IM"), user=head, kind="head")
    annual = LeaveType.objects.get(code="annual")
    # One day left; each request asks for one day (Tuesday and Wednesday: no overlap).
    first, second = dt.date(2026, 3, 10), dt.date(2026, 3, 11)
    LeaveBalance.objects.create(user=owner, leave_type=annual, year=2026, granted_hours=8)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(day):
        try:
            barrier.wait(timeout=10)
            start, end = span(day)
            services.leave_request_create(
                actor=owner, leave_type=annual, start=start, end=end, reason="同時", deputy=deputy
            )
            outcomes.append("made")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(day,)) for day in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["made", "refused"]
    assert LeaveRequest.objects.filter(user=owner).count() == 1
    balance = LeaveBalance.objects.get(user=owner, leave_type=annual, year=first.year)
    assert balance.used_hours == Decimal(8)


def test_the_database_refuses_a_balance_below_zero(make_user):
    leave_setup()
    owner = make_user()
    annual = LeaveType.objects.get(code="annual")
    balance = LeaveBalance.objects.create(user=owner, leave_type=annual, year=2026, granted_hours=8)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaveBalance.objects.filter(pk=balance.pk).update(used_hours=9)
