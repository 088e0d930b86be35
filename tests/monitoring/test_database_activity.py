"""Database activity read from the test PostgreSQL."""

import pytest

from monitoring import selectors_db
from monitoring.choices import CheckKind, DatabaseMetric
from monitoring.services import runner
from monitoring.services.rollup import database_sizes_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def test_readings_of_the_portal_database(needs_postgres):
    reading = selectors_db.activity()
    assert reading.error == ""
    assert any(row["n"] >= 1 for row in reading.connections)
    assert any(size["bytes"] > 0 for size in reading.sizes)
    assert reading.in_recovery is False


def test_a_connections_threshold_opens_an_incident(needs_postgres, make_check):
    check = make_check(
        name="too many connections",
        kind=CheckKind.DATABASE,
        db_metric=DatabaseMetric.CONNECTIONS,
        db_limit=0,
        failure_threshold=1,
    )
    runner.run_due()
    check.refresh_from_db()
    assert check.state == "down"
    assert "Connections" in check.last_message or "連線" in check.last_message


def test_sizes_are_sampled_daily(needs_postgres):
    assert database_sizes_record() >= 1
    assert database_sizes_record() >= 1  # same day: updated, not added


def test_docker_compose_enables_pg_stat_statements():
    import yaml  # noqa: PLC0415 - only this test reads YAML
    from django.conf import settings  # noqa: PLC0415

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    postgres = compose["services"]["postgres"]
    assert "shared_preload_libraries=pg_stat_statements" in postgres["command"]
    (init,) = postgres["configs"]
    assert init["target"].startswith("/docker-entrypoint-initdb.d/")
    script = compose["configs"][init["source"]]["content"]
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" in script
