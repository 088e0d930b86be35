"""The default cache, for the hot paths of the single sign-on (token grant, introspection).

Django's Redis backend builds a new ``redis.Redis`` client object on every call (about 0.1 ms
of Python each time, for its table of response callbacks). Here one client per process is
kept and reused (it is thread-safe and shares Django's connection pool); keys and values are
made exactly as Django makes them, so ``django.core.cache.cache`` reads what this writes and
the other way round. Any other cache backend (the embedded default's local memory) is used
through Django's API.
"""

from __future__ import annotations

import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

_local = threading.local()


def _redis():
    """(backend, raw client) for a Redis default cache, else (backend, None)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return backend, None
    client = getattr(_local, "client", None)
    if client is None or getattr(_local, "backend_id", None) != id(backend._cache):
        client = backend._cache.get_client(None, write=True)
        _local.client, _local.backend_id = client, id(backend._cache)
    return backend, client


def get(key: str):
    backend, client = _redis()
    if client is None:
        return backend.get(key)
    value = client.get(backend.make_and_validate_key(key))
    return None if value is None else backend._cache._serializer.loads(value)


def set(key: str, value, timeout: int) -> None:  # noqa: A001 - mirrors the cache API
    backend, client = _redis()
    if client is None:
        backend.set(key, value, timeout)
        return
    client.set(
        backend.make_and_validate_key(key), backend._cache._serializer.dumps(value), ex=timeout
    )


def delete(key: str) -> None:
    caches["default"].delete(key)


def incr(key: str) -> None:
    """Add one, creating the key (without expiry) when it is missing."""
    backend, client = _redis()
    if client is not None:
        client.incr(backend.make_and_validate_key(key))
        return
    try:
        backend.incr(key)
    except ValueError:
        if not backend.add(key, 1, timeout=None):
            backend.incr(key)
