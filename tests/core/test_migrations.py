"""Migrations apply on fresh databases, reverse, and match the models."""

import os
import secrets
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from .conftest import postgres_url, run_python


def manage(env: dict[str, str], *args: str):
    result = run_python(env, "manage.py", *args)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def scratch_dir() -> Path:
    """A temporary folder, in memory (/dev/shm) where there is one: SQLite's fsyncs on every
    migration dominate on a slow disk, and they are not what these tests check."""
    shm = Path("/dev/shm")
    return Path(
        tempfile.mkdtemp(prefix="mol-migrate-", dir=shm if os.access(shm, os.W_OK) else None)
    )


@pytest.fixture(scope="module")
def migrated_sqlite():
    """A data folder whose fresh SQLite file had every migration applied by ``migrate``."""
    data_dir = scratch_dir()
    try:
        manage({"DATA_DIR": str(data_dir)}, "migrate", "--noinput")
        yield data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def sqlite_copy(migrated_sqlite):
    data_dir = scratch_dir()
    shutil.copytree(migrated_sqlite, data_dir, dirs_exist_ok=True)
    yield data_dir
    shutil.rmtree(data_dir, ignore_errors=True)


def test_migrate_applies_on_a_fresh_sqlite_file(migrated_sqlite):
    assert (migrated_sqlite / "mol_portal.sqlite3").stat().st_size > 0
    manage({"DATA_DIR": str(migrated_sqlite)}, "migrate", "--check")


def test_core_migrations_reverse_to_zero_and_apply_again_on_sqlite(sqlite_copy):
    env = {"DATA_DIR": str(sqlite_copy)}
    manage(env, "migrate", "core", "zero", "--noinput")
    plan = manage(env, "showmigrations", "core").stdout
    assert "[X]" not in plan and "[ ]" in plan
    manage(env, "migrate", "--noinput")
    manage(env, "migrate", "--check")


@pytest.fixture
def fresh_postgres_database(needs_postgres):
    """An empty PostgreSQL database on the test server, dropped afterwards."""
    name = f"mol_migrate_{uuid.uuid4().hex[:12]}"
    conninfo = {
        "host": needs_postgres.get("HOST") or "127.0.0.1",
        "port": needs_postgres.get("PORT") or 5432,
        "user": needs_postgres.get("USER") or None,
        "password": needs_postgres.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_url(needs_postgres, name)
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_migrate_applies_on_a_fresh_postgresql_database(fresh_postgres_database, tmp_path):
    env = {
        "DATABASE_URL": fresh_postgres_database,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATA_DIR": str(tmp_path),
    }
    manage(env, "migrate", "--noinput")
    manage(env, "migrate", "--check")


def test_models_and_migrations_agree(tmp_path):
    result = manage({"DATA_DIR": str(tmp_path)}, "makemigrations", "--check", "--dry-run")
    assert "No changes detected" in result.stdout
