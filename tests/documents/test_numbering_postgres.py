"""Concurrent allocation on a real PostgreSQL: every thread has its own connection."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from documents.models import Document

from .factories import DocumentFactory, unit

THREADS = 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_get_consecutive_unique_numbers(needs_postgres):
    im = unit("IM")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(n: int):
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            with transaction.atomic():
                DocumentFactory(unit=im, subject=f"concurrent {n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    serials = sorted(Document.objects.filter(unit=im).values_list("serial", flat=True))
    assert serials == list(range(1, THREADS + 1))
    numbers = list(Document.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == THREADS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_rollbacks_leave_no_gap(needs_postgres):
    im = unit("IM")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    class Abort(Exception):
        pass

    def register(n: int):
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            with transaction.atomic():
                DocumentFactory(unit=im, subject=f"maybe {n}")
                if n % 2:
                    raise Abort
        except Abort:
            pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    serials = sorted(Document.objects.filter(unit=im).values_list("serial", flat=True))
    assert serials == list(range(1, THREADS // 2 + 1))
