"""Fixtures of the property tests: the HQ property officer (in SEC), the head of IM (the
owner's unit), the head of BLI (the outsider's agency) and its officer."""

import pytest

from .factories import make_head, make_officer, unit


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def officer(make_user):
    return make_officer(make_user(username="officer", organization=unit("SEC")), "MOL-HQ")


@pytest.fixture
def sec_head(make_user):
    return make_head(make_user(username="sec-head", organization=unit("SEC")), "SEC")


@pytest.fixture
def im_head(make_user):
    return make_head(make_user(username="im-head"), "IM")


@pytest.fixture
def bli_head(make_user):
    return make_head(make_user(username="bli-head", organization=unit("BLI")), "BLI")


@pytest.fixture
def bli_officer(make_user):
    return make_officer(make_user(username="bli-officer", organization=unit("BLI")), "BLI")
