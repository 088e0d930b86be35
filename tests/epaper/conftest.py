"""Shared by every e-paper test: plain HTTP for the test client, and rate-limit counters (in the
cache) and the limiter's circuit breaker reset for each test."""

import contextlib

import pytest
from django.core.cache import cache

from core import ratelimit


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """With DATABASE_URL set the settings switch HTTPS hardening on; the test client speaks
    plain HTTP."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    ratelimit.reset()
    cache.clear()
    yield
    with contextlib.suppress(Exception):  # a test may have stopped its own cache server
        cache.clear()
    ratelimit.reset()
