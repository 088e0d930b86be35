"""Shared fixtures.

Services: a test that needs PostgreSQL, Redis, slapd or Chromium asks for it through a fixture
below. When the service is missing the test is skipped with the reason, except when CI=true:
then a missing service is a failure, never a skip.

One database only: a test that applies to PostgreSQL only is marked ``postgres_only`` (the
``needs_postgres`` marker, or asking for the ``needs_postgres`` fixture, implies it), one that
applies to SQLite only ``sqlite_only``. On the other database such a test is deselected at
collection (reported as deselected, never as skipped).

People: ``owner`` and ``colleague`` are two plain users of the same unit (IM, 資訊處);
``outsider`` is a user of another unit (BLI, 勞工保險局). Every app's permission tests use
them: the owner acts on their own object, the colleague shares the unit, the outsider does not.
``make_user(**fields)`` makes more (``tests/accounts/factories.py`` has the factories).
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from mol_portal.celery import app
from tests.accounts.factories import PASSWORD, UserFactory, unit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright + ORM in tests

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(condition: bool, reason: str):
    """Skip (developer machine) or fail (CI) when a needed service is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_url() -> str:
    return settings.REDIS_URL


@pytest.fixture
def needs_redis():
    url = redis_url()
    require(bool(url), "REDIS_URL is not set")
    parsed = urlparse(url)
    require(
        port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379),
        f"Redis is not reachable at {url}",
    )
    return url


@pytest.fixture
def needs_postgres():
    engine = settings.DATABASES["default"]["ENGINE"]
    require(engine == "django.db.backends.postgresql", "DATABASE_URL is not PostgreSQL")
    return settings.DATABASES["default"]


@pytest.fixture
def needs_chromium():
    require(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM}")
    try:
        import playwright  # noqa: F401, PLC0415 - optional here: the check itself
    except ImportError:  # pragma: no cover
        require(False, "playwright is not installed")
    return CHROMIUM


@pytest.fixture
def needs_binary():
    def check(name: str) -> str:
        path = shutil.which(name) or (
            f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None
        )
        require(path is not None, f"{name} is not installed")
        return path

    return check


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run inline in tests, unless a test starts a real worker (see core tests)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _static_from_finders(settings):
    """Serve static files straight from the source folders (no collectstatic in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db, password):
    """``make_user(**fields)``: a new user (user1, user2, ... in the IM unit unless given)
    whose password is ``password``, set through ``set_password`` like a real change."""
    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        n = counter["n"]
        kwargs.setdefault("username", f"user{n}")
        kwargs.setdefault("employee_number", f"T{n:05d}")
        kwargs.setdefault("name_zh", f"測試員{n}")
        kwargs.setdefault("email", f"user{n}@example.gov.tw")
        user = UserFactory.build(**kwargs)
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def staff_user(make_user):
    return make_user(username="staffer", is_staff=True)


@pytest.fixture
def owner(make_user):
    """A plain user of the IM unit."""
    return make_user(username="owner")


@pytest.fixture
def colleague(make_user):
    """A plain user of the owner's unit (IM)."""
    return make_user(username="colleague")


@pytest.fixture
def outsider(make_user):
    """A plain user of another unit (BLI) than the owner's."""
    return make_user(username="outsider", organization=unit("BLI"))


def database_vendor() -> str:
    """``"postgresql"`` or ``"sqlite"``: the database the tests run on (``DATABASE_URL``)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if engine == "django.db.backends.postgresql" else "sqlite"


def _deselect_other_database(config, items):
    """Drop the tests that apply to the other database only (see the module docstring)."""
    vendor = database_vendor()
    kept, dropped = [], []
    for item in items:
        postgres_only = (
            item.get_closest_marker("postgres_only") is not None
            or item.get_closest_marker("needs_postgres") is not None
            or "needs_postgres" in getattr(item, "fixturenames", ())
        )
        sqlite_only = item.get_closest_marker("sqlite_only") is not None
        if (postgres_only and vendor != "postgresql") or (sqlite_only and vendor != "sqlite"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_modifyitems(config, items):
    """Tests of the other database are deselected (``_deselect_other_database``).

    Every transactional test (``transaction=True``, ``transactional_db``, ``live_server``)
    gets a serialized rollback. Otherwise the flush after a non-serialized one recreates content
    types and permissions under new ids (post_migrate), and the next serialized test fails to
    restore the migrations' reference data ("duplicate key ... django_content_type")."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "django_db_serialized_rollback" in names:
            continue
        marker = item.get_closest_marker("django_db")
        if (
            "transactional_db" in names
            or "live_server" in names
            or (marker is not None and marker.kwargs.get("transaction"))
        ):
            names.append("django_db_serialized_rollback")
            if marker is not None:
                # pytest-django decides whether to serialize the test database from the
                # marker alone when there is one; without this, a run of only marked
                # transactional tests would restore nothing after the first flush.
                kwargs = {**marker.kwargs, "serialized_rollback": True}
                item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
    _deselect_other_database(config, items)


# Browser fixtures (Chromium through Playwright), shared by every app's browser tests.
from tests.browser_support import browser, open_page  # noqa: E402, F401
