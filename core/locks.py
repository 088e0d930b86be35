"""A job that must never run twice at once: ``single_flight(name)``.

::

    with single_flight("accounts.hr-sync") as acquired:
        if not acquired:
            return  # another worker is running it; do nothing
        ...

The lock is tried, never waited for: ``acquired`` is False at once when somebody else holds
it. It is released when the block exits (also on an exception) and when the holding process
dies, so there is no stale lock to clean up. It is not re-entrant: a second
``single_flight`` of the same name inside the first yields False.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a stable 64-bit hash
of the name (BLAKE2b, the same in every process and release), taken and released on a
connection of its own, opened for the block. A separate connection keeps the lock independent
of the caller's transactions: a rollback or an aborted transaction in the block cannot lose or
leak it, and the caller may use ``transaction.atomic`` freely inside. Do not put a
transaction-pooling proxy (pgbouncer in transaction mode) between the portal and PostgreSQL.

Other databases (the embedded SQLite default): an exclusive, non-blocking ``flock`` on a file
``<DATA_DIR>/locks/<name>.lock``. Every process of one installation shares DATA_DIR (the
SQLite file lives there too), and the kernel drops the lock when the process exits.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

LOCKS_SUBDIR = "locks"


def lock_key(name: str) -> int:
    """The signed 64-bit key of ``name`` for ``pg_try_advisory_lock(bigint)``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_path(name: str) -> Path:
    """The lock file of ``name`` under DATA_DIR (readable name plus a hash, so two names never
    share a file)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80]
    suffix = f"{lock_key(name) & 0xFFFFFFFF:08x}"
    return Path(settings.DATA_DIR) / LOCKS_SUBDIR / f"{readable}-{suffix}.lock"


@contextmanager
def single_flight(name: str, *, using: str = "default") -> Iterator[bool]:
    """Try to take the lock ``name`` for the block; yields True when taken, False when another
    process or thread holds it (the block then runs without the lock and should return)."""
    if not name:
        raise ValueError("single_flight() needs a lock name")
    if connections[using].vendor == "postgresql":
        with _advisory_lock(name, using) as acquired:
            yield acquired
    else:
        with _file_lock(name) as acquired:
            yield acquired


@contextmanager
def _advisory_lock(name: str, using: str) -> Iterator[bool]:
    key = lock_key(name)
    connection = connections[using].copy()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (acquired,) = cursor.fetchone()
        try:
            yield bool(acquired)
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    finally:
        connection.close()


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    path = lock_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
