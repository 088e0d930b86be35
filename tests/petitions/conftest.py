import contextlib

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """With DATABASE_URL set the settings switch HTTPS hardening on; the test client speaks
    plain HTTP."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: start every test at zero."""
    cache.clear()
    yield
    with contextlib.suppress(Exception):  # an outage test stopped its own cache server
        cache.clear()
