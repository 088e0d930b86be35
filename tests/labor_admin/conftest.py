"""Three people and two API clients around two sibling county authorities:

- ``owner`` and ``colleague``: case officers (``labor_admin.clerk``) of 臺北市勞動檢查處
  (``office``, under the Taipei authority ``county``); ``owner`` is also its supervisor;
- ``outsider``: case officer of the sibling authority 新北市政府勞工局 (``sibling``);
- ``county_reader``: reader of the Taipei authority and its offices;
- ``ministry``: reader everywhere (the ministry: all, read-only);
- ``client_a`` / ``client_b``: API clients bound to ``office`` / ``sibling``.
"""

import datetime as dt

import pytest
from freezegun import freeze_time

from accounts.models import Application
from labor_admin.api.authentication import forget
from labor_admin.constants import ROLE_CLERK, ROLE_SUPERVISOR, ROLE_VIEWER
from labor_admin.models import ApiClient
from labor_admin.selectors import forget_reference

from .factories import grant, load_units, org

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time():
    with freeze_time(NOW):
        yield


@pytest.fixture
def units(db):
    load_units()
    return {"county": org("LA63000"), "office": org("LA63000-LI"), "sibling": org("LA65000")}


@pytest.fixture
def office(units):
    return units["office"]


@pytest.fixture
def sibling(units):
    return units["sibling"]


@pytest.fixture
def la_owner(owner, office):
    grant(owner, ROLE_CLERK, office)
    grant(owner, ROLE_SUPERVISOR, office)
    return owner


@pytest.fixture
def la_colleague(colleague, office):
    grant(colleague, ROLE_CLERK, office)
    return colleague


@pytest.fixture
def la_outsider(outsider, sibling):
    grant(outsider, ROLE_CLERK, sibling)
    return outsider


@pytest.fixture
def county_reader(make_user, units):
    user = make_user(username="county.reader")
    grant(user, ROLE_VIEWER, units["county"], subunits=True)
    return user


@pytest.fixture
def ministry(make_user, units):
    user = make_user(username="ministry.reader")
    grant(user, ROLE_VIEWER, None)
    return user


SECRET = "labour-client-secret-0123456789abcdef"


def _client(name, unit, **fields):
    app = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,
        redirect_uris="",
    )
    return ApiClient.objects.create(application=app, unit=unit, **fields)


@pytest.fixture
def client_a(office):
    return _client("Taipei inspection system", office)


@pytest.fixture
def client_b(sibling):
    return _client("New Taipei labour system", sibling)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The per-process caches (case types, reference tables, checked API callers) start
    empty in every test, as in a new worker."""
    forget_reference()
    forget()
    yield
    forget_reference()
    forget()
