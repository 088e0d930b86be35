"""Two simultaneous imports of one month (PostgreSQL, two threads, two connections): exactly
one import is stored, its slips whole; the other is refused with a clear error."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from portal.models import PayrollImport, Payslip, PayslipLine
from portal.services import payslips as services

from .conftest import HEADER, slip_rows

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(officer, files, monkeypatch) -> list:
    """Import ``files`` at once; the first writer waits inside its import until the other
    has answered, so the two really overlap."""
    barrier = threading.Barrier(len(files))
    answered = threading.Event()
    real_write = services._payroll_write
    outcomes = []

    def slow_write(**kwargs):
        answered.wait(timeout=10)
        return real_write(**kwargs)

    monkeypatch.setattr(services, "_payroll_write", slow_write)

    def attempt(data):
        translation.activate("en")  # each thread has its own language: messages read in English
        try:
            barrier.wait(timeout=10)
            services.payroll_import(actor=officer, data=data.encode(), filename="f.csv")
            outcomes.append("imported")
        except services.PayrollFileInvalid as exc:
            outcomes.append(str(exc.errors[0].message))
        finally:
            translation.deactivate()
            answered.set()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.parametrize("already_imported", [False, True])
def test_two_simultaneous_imports_of_a_month_store_exactly_one(
    officer, owner, colleague, monkeypatch, already_imported
):
    if already_imported:
        old = HEADER + slip_rows(owner.employee_number, base=30000)
        services.payroll_import(actor=officer, data=old.encode(), filename="old.csv")
    first = HEADER + slip_rows(owner.employee_number) + slip_rows(colleague.employee_number)
    # The same month, the people in the other order and other amounts.
    second = (
        HEADER
        + slip_rows(colleague.employee_number, base=60000)
        + slip_rows(owner.employee_number, base=60000)
    )
    with translation.override("en"):
        outcomes = race(officer, [first, second], monkeypatch)
    assert outcomes[1] == "imported"
    assert "Another payroll import is running" in outcomes[0]
    assert PayrollImport.objects.count() == 1 + already_imported
    slips = Payslip.objects.filter(month="2026-02-01")
    assert slips.count() == 2
    assert len({s.batch_id for s in slips}) == 1  # not mixed
    assert len({s.earnings for s in slips}) == 1  # both from the same file
    assert PayslipLine.objects.count() == 8
