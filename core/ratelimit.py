"""Rate limits in fixed windows in the cache, with a circuit breaker for cache outages.

``hit(key, limit=, window=)`` counts one event under ``key`` in a window of ``window`` seconds
that starts with the key's first event, and answers whether the count is still within
``limit``. Keys start with the app's name (``petitions:rate:ip:…``, ``epaper:rate:email:…``);
callers hash personal data (an e-mail address) before it becomes part of a key.

The cache is Redis in production. When it is down every call allows the event and logs one
warning (``<app> rate limit skipped: the cache is unreachable``): the limits are a brake on
abuse, not a reason to turn people away. Each cache call is bounded by the cache's socket
timeouts (``settings.CACHES``), and after a failure the cache is not asked again for
``CACHE_RETRY_SECONDS`` (a process-local breaker), so a request during an outage waits for at
most one timeout, not one per limit it checks.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

#: Seconds the limits are skipped after a cache error before the cache is asked again.
CACHE_RETRY_SECONDS = 10
_cache_down_until = 0.0


def cache_down() -> bool:
    """Whether the breaker is open (a cache error in the last ``CACHE_RETRY_SECONDS``)."""
    return time.monotonic() < _cache_down_until


def open_breaker() -> None:
    """Open the breaker without logging (a caller that logs its own message, e.g. the
    notifications outbox's relay flag): no cache call for ``CACHE_RETRY_SECONDS``."""
    global _cache_down_until  # noqa: PLW0603 - a process-local circuit breaker
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS


def cache_failed(key: str = "") -> None:
    """Open the breaker after a cache error (call from an ``except`` block: logs it)."""
    open_breaker()
    app = key.split(":", 1)[0] if key else ""
    logger.warning(
        "%srate limit skipped: the cache is unreachable", f"{app} " if app else "", exc_info=True
    )


def reset() -> None:
    """Close the breaker (tests that stop and start a cache server)."""
    global _cache_down_until  # noqa: PLW0603 - see cache_failed
    _cache_down_until = 0.0


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event in a fixed window; True while within ``limit`` (and when the cache is
    unreachable)."""
    if cache_down():
        return True
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:  # noqa: BLE001 - any cache backend error: degrade, never fail the request
        cache_failed(key)
        return True
    return count <= limit


def get_many(keys: list[str]) -> dict:
    """``cache.get_many`` behind the breaker: ``{}`` when the cache is unreachable."""
    if cache_down():
        return {}
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - see hit
        cache_failed(keys[0] if keys else "")
        return {}


def set_value(key: str, value, *, timeout: int) -> None:
    """``cache.set`` behind the breaker (nothing is written when the cache is unreachable)."""
    if cache_down():
        return
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # noqa: BLE001 - see hit
        cache_failed(key)
