"""The national board equals a direct count after concurrent intake, and numbers stay
gap-free and unique per unit, on a real PostgreSQL (each thread its own connection)."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from labor_admin.models import Case
from labor_admin.selectors import board

from .factories import make_case

THREADS = 12
PER_THREAD = 3
TODAY = dt.date(2026, 3, 16)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_board_equals_a_direct_count_after_concurrent_intake(
    needs_postgres, la_owner, la_outsider, office, sibling, ministry
):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def intake(n: int):
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                unit, actor = (office, la_owner) if (n + i) % 2 else (sibling, la_outsider)
                with transaction.atomic():
                    make_case(
                        unit=unit,
                        actor=actor,
                        type_code="MED" if i % 2 else "VOL",
                        received_on=TODAY if i else TODAY - dt.timedelta(days=3),
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    figures = board(ministry, today=TODAY)
    total = figures["total"]
    assert total["received_today"] == Case.objects.filter(received_on=TODAY).count()
    assert (
        total["received_month"] == Case.objects.filter(received_on__gte=dt.date(2026, 3, 1)).count()
    )
    assert total["open"] == Case.objects.filter(is_open=True).count() == THREADS * PER_THREAD
    for row in figures["by_type"]:
        assert row["open"] == Case.objects.filter(case_type=row["case_type"]).count()
    for row in figures["by_county"]:
        assert (
            row["received_today"]
            == Case.objects.filter(county=row["county"], received_on=TODAY).count()
        )
    for unit in (office, sibling):
        serials = sorted(Case.objects.filter(unit=unit).values_list("serial", flat=True))
        assert serials == list(range(1, len(serials) + 1))
    assert board(la_owner, today=TODAY)["total"]["open"] == Case.objects.filter(unit=office).count()
