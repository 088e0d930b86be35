import hashlib
import subprocess
import sys
import threading

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from core.locks import _file_lock, lock_key, lock_path, single_flight
from core.models import Sequence

pytestmark = pytest.mark.django_db


def hold_in_thread(name: str):
    """Take ``name`` in another thread (its own database connection); returns (acquired list,
    release event, thread). The thread keeps the lock until the event is set."""
    held = threading.Event()
    release = threading.Event()
    result: list[bool] = []

    def run():
        try:
            with single_flight(name) as acquired:
                result.append(acquired)
                held.set()
                release.wait(timeout=30)
        finally:
            held.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(timeout=30)
    return result, release, thread


def test_a_second_holder_is_refused_while_the_first_holds_it():
    result, release, thread = hold_in_thread("test.job")
    try:
        assert result == [True]
        with single_flight("test.job") as acquired:
            assert acquired is False
        with single_flight("test.other-job") as acquired:
            assert acquired is True
    finally:
        release.set()
        thread.join(timeout=30)
    with single_flight("test.job") as acquired:
        assert acquired is True


def test_the_lock_is_released_when_the_block_raises():
    with pytest.raises(ZeroDivisionError), single_flight("test.job") as acquired:
        assert acquired
        1 / 0  # noqa: B018
    result, release, thread = hold_in_thread("test.job")
    release.set()
    thread.join(timeout=30)
    assert result == [True]


def test_it_is_not_reentrant():
    with single_flight("test.job") as outer, single_flight("test.job") as inner:
        assert (outer, inner) == (True, False)


def test_the_key_is_a_stable_signed_64_bit_number():
    assert lock_key("accounts.hr-sync") == lock_key("accounts.hr-sync")
    assert lock_key("accounts.hr-sync") != lock_key("accounts.ldap-sync")
    assert -(2**63) <= lock_key("accounts.hr-sync") < 2**63
    # BLAKE2b-64 of the name: the same in every process and Python release (not hash()).
    assert lock_key("test.job") == int.from_bytes(
        hashlib.blake2b(b"test.job", digest_size=8).digest(), "big", signed=True
    )


@pytest.mark.needs_postgres
def test_another_postgresql_session_holding_the_advisory_lock_refuses_it(needs_postgres):
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}},
        dbname=params.get("dbname") or params.get("database"),
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key("test.job")])
        with single_flight("test.job") as acquired:
            assert acquired is False
        other.execute("SELECT pg_advisory_unlock(%s)", [lock_key("test.job")])
        with single_flight("test.job") as acquired:
            assert acquired is True
            held = other.execute("SELECT pg_try_advisory_lock(%s)", [lock_key("test.job")])
            assert held.fetchone()[0] is False


@pytest.mark.needs_postgres
def test_the_advisory_lock_survives_a_rollback_in_the_block(needs_postgres):
    with single_flight("test.job") as acquired:
        assert acquired
        with pytest.raises(IntegrityError), transaction.atomic():
            Sequence.objects.create(scope="x", year=1)
            Sequence.objects.create(scope="x", year=1)
        with single_flight("test.job") as again:
            assert again is False
    with single_flight("test.job") as acquired:
        assert acquired


@pytest.fixture
def file_lock_held_elsewhere(settings, tmp_path):
    """Another process holds the flock of "test.job" in a fresh DATA_DIR until the test ends."""
    settings.DATA_DIR = tmp_path
    path = lock_path("test.job")
    path.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX);"
         " print('held', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        yield path
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_the_file_lock_keeps_another_process_out(file_lock_held_elsewhere):
    with _file_lock("test.job") as acquired:
        assert acquired is False
    with _file_lock("test.other-job") as acquired:
        assert acquired is True


def test_the_file_lock_is_free_again_when_its_holder_exits(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    done = subprocess.run(
        [sys.executable, "-c",
         "import fcntl, pathlib, sys; p = pathlib.Path(sys.argv[1]); p.parent.mkdir();"
         " fcntl.flock(open(p, 'w'), fcntl.LOCK_EX)", str(lock_path("test.job"))],
        timeout=30,
    )  # fmt: skip
    assert done.returncode == 0
    with _file_lock("test.job") as acquired:
        assert acquired is True


@pytest.mark.sqlite_only
def test_on_sqlite_single_flight_is_the_file_lock_in_data_dir(file_lock_held_elsewhere):
    with single_flight("test.job") as acquired:
        assert acquired is False
