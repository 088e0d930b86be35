import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core.models import Sequence
from core.sequences import next_value

pytestmark = pytest.mark.django_db


def take(scope="test:a", year=115, **kwargs) -> int:
    with transaction.atomic():
        return next_value(scope=scope, year=year, **kwargs)


def test_values_start_at_one_and_count_up():
    assert [take() for _ in range(3)] == [1, 2, 3]
    assert Sequence.objects.get(scope="test:a", year=115).last_value == 3


def test_each_scope_and_year_counts_on_its_own():
    take(scope="test:a", year=115)
    take(scope="test:a", year=115)
    assert take(scope="test:b", year=115) == 1
    assert take(scope="test:a", year=116) == 1
    assert take(scope="test:a", year=115) == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        next_value(scope="test:a", year=115)
    assert not Sequence.objects.exists()


def test_a_rollback_gives_the_value_back():
    take()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert next_value(scope="test:a", year=115) == 2
        1 / 0  # noqa: B018
    assert take() == 2


def test_past_max_value_is_a_validation_error_and_changes_nothing():
    assert take(max_value=2) == 1
    assert take(max_value=2) == 2
    with pytest.raises(ValidationError) as excinfo:
        take(max_value=2)
    assert excinfo.value.code == "sequence_exhausted"
    assert Sequence.objects.get(scope="test:a", year=115).last_value == 2
    assert take(max_value=3) == 3


def test_an_empty_or_overlong_scope_is_refused():
    with pytest.raises(ValueError), transaction.atomic():
        next_value(scope="", year=115)
    with pytest.raises(ValueError), transaction.atomic():
        next_value(scope="x" * 101, year=115)


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_get_every_value_once_on_postgresql(needs_postgres):
    """Eight threads, each with its own connection, take numbers while holding the row lock a
    moment: every number 1..N is handed out exactly once, and a rolled-back one is reused."""
    threads, per_thread = 8, 6
    taken: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(index: int):
        try:
            start.wait()
            for round_ in range(per_thread):
                try:
                    with transaction.atomic():
                        value = next_value(scope="test:concurrent", year=115)
                        time.sleep(0.005)
                        if (index + round_) % 5 == 0:
                            raise LookupError  # roll back: the value must be handed out again
                except LookupError:
                    continue
                with lock:
                    taken.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors
    assert taken, "no thread committed a value"
    assert sorted(taken) == list(range(1, len(taken) + 1))  # no gaps, no duplicates
    assert Sequence.objects.get(scope="test:concurrent", year=115).last_value == len(taken)
