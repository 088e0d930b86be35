"""core.ratelimit: fixed windows in the cache, and the circuit breaker that lets everything
through (and logs) while the cache is unreachable."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from freezegun import freeze_time

from core import ratelimit


@pytest.fixture(autouse=True)
def _closed_breaker():
    ratelimit.reset()
    cache.clear()
    yield
    ratelimit.reset()


class BrokenCache:
    """A cache whose every call fails like an unreachable Redis; counts the calls."""

    def __init__(self):
        self.calls = 0

    def _fail(self, *args, **kwargs):
        self.calls += 1
        raise ConnectionError("Redis is down")

    add = incr = set = get_many = _fail


def test_a_key_is_allowed_up_to_its_limit_then_refused():
    results = [ratelimit.hit("test:rate:a", limit=3, window=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_keys_are_counted_separately():
    assert ratelimit.hit("test:rate:a", limit=1, window=60)
    assert not ratelimit.hit("test:rate:a", limit=1, window=60)
    assert ratelimit.hit("test:rate:b", limit=1, window=60)


def test_a_limit_of_zero_only_counts():
    assert not ratelimit.hit("test:count", limit=0, window=60)
    assert not ratelimit.hit("test:count", limit=0, window=60)
    assert ratelimit.get_many(["test:count"]) == {"test:count": 2}


def test_the_window_starts_with_the_first_event_and_then_ends(monkeypatch):
    # An in-process cache, whose clock freezegun moves (a Redis server keeps its own time).
    monkeypatch.setattr(ratelimit, "cache", LocMemCache("ratelimit-window", {}))
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with freeze_time(start) as frozen:
        assert ratelimit.hit("test:window", limit=1, window=60)
        frozen.tick(timedelta(seconds=30))
        assert not ratelimit.hit("test:window", limit=1, window=60)
        frozen.tick(timedelta(seconds=31))  # 61 s after the first event
        assert ratelimit.hit("test:window", limit=1, window=60)
        assert not ratelimit.hit("test:window", limit=1, window=60)


def test_an_unreachable_cache_allows_logs_once_and_is_not_asked_again_for_a_while(
    monkeypatch, caplog
):
    broken = BrokenCache()
    monkeypatch.setattr(ratelimit, "cache", broken)
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])

    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert all(ratelimit.hit("epaper:rate:ip:1", limit=0, window=60) for _ in range(5))
    assert broken.calls == 1, "after the first error the breaker answers without the cache"
    warnings = [r for r in caplog.records if r.name == "core.ratelimit"]
    assert [r.getMessage() for r in warnings] == [
        "epaper rate limit skipped: the cache is unreachable"
    ]
    assert warnings[0].exc_info is not None
    assert ratelimit.cache_down()
    assert ratelimit.get_many(["epaper:rate:ip:1"]) == {}
    ratelimit.set_value("epaper:rate:ip:1", 1, timeout=60)
    assert broken.calls == 1

    now[0] += ratelimit.CACHE_RETRY_SECONDS + 1
    assert not ratelimit.cache_down()
    assert ratelimit.hit("epaper:rate:ip:1", limit=0, window=60)
    assert broken.calls == 2, "once the retry time is over the cache is asked again"


def test_get_many_and_set_value_open_the_breaker_too(monkeypatch, caplog):
    broken = BrokenCache()
    monkeypatch.setattr(ratelimit, "cache", broken)
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert ratelimit.get_many(["petitions:lookup:x"]) == {}
    assert ratelimit.cache_down()
    assert "petitions rate limit skipped" in caplog.text

    ratelimit.reset()
    ratelimit.set_value("petitions:lookup:y", 1, timeout=5)
    assert ratelimit.cache_down() and broken.calls == 2


def test_the_cache_back_counts_again_after_reset(monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    assert ratelimit.hit("test:back", limit=1, window=60)
    monkeypatch.setattr(ratelimit, "cache", cache)
    ratelimit.reset()
    assert ratelimit.hit("test:back", limit=1, window=60)
    assert not ratelimit.hit("test:back", limit=1, window=60)


def test_petitions_limits_use_the_shared_primitive(monkeypatch, settings):
    """The petitions rate limits count through core.ratelimit (one primitive, one breaker)."""
    from petitions.services import abuse  # noqa: PLC0415 - the module under test

    seen = []
    monkeypatch.setattr(ratelimit, "hit", lambda key, **kw: seen.append(key) or False)
    settings.PETITIONS_RATE_LIMIT_ENABLED = True
    with pytest.raises(abuse.SubmissionRefused):
        abuse.check_submission_rate(email="a@example.com", ip="192.0.2.1")
    assert seen == ["petitions:rate:ip:192.0.2.1"]
