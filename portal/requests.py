"""The "My requests" registry: every portal service lists what a person asked of it.

A service registers one ``RequestProvider`` in its ``AppConfig.ready()`` (or in a module
``ready()`` imports)::

    from portal.requests import RequestItem, RequestProvider, request_providers

    def leave_items(user, *, limit: int, open_only: bool) -> list[RequestItem]:
        ...  # at most ``limit`` items, newest first, in a bounded number of queries

    def leave_count(user, *, open_only: bool) -> int:
        ...

    request_providers.register(
        RequestProvider(key="leave", label=_("Leave"), items=leave_items, count=leave_count,
                        order=20)
    )

Rules for a provider:

* it lists only what ``user`` asked for themselves (the requester), never colleagues' items:
  the page shows everything it returns;
* ``items`` answers at most ``limit`` items, newest ``date`` first, with a fixed number of
  queries whatever the volume (``select_related``, annotations; no query per item);
* ``open_only`` keeps the items still waiting for someone (``RequestItem.is_open``);
* ``count`` agrees with ``items`` (the page's pagination is built from it).

``my_requests(user, page=, kind=, open_only=)`` merges the providers' items newest first and
pages them: page *n* asks each provider for at most ``n × PAGE_SIZE`` items (pages past
``MAX_PAGES`` are refused), so a page costs two queries per provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

PAGE_SIZE = 25
MAX_PAGES = 40


@dataclass(frozen=True)
class RequestItem:
    """One thing a person asked for. ``date`` is when it was asked (a datetime or a date);
    ``state`` is the translated state shown, ``is_open`` whether it still waits for someone."""

    kind: str
    title: str
    number: str
    state: str
    date: dt.datetime | dt.date
    url: str
    is_open: bool = False
    detail: str = ""

    @property
    def sort_key(self) -> dt.datetime:
        value = self.date
        if not isinstance(value, dt.datetime):
            value = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        return value


@dataclass(frozen=True)
class RequestProvider:
    key: str
    label: str
    items: Callable[..., list[RequestItem]] = field(compare=False)
    count: Callable[..., int] = field(compare=False)
    order: int = 100


class RequestRegistry:
    def __init__(self):
        self._providers: dict[str, RequestProvider] = {}

    def register(self, provider: RequestProvider) -> RequestProvider:
        self._providers[provider.key] = provider
        return provider

    def unregister(self, key: str) -> None:
        self._providers.pop(key, None)

    def all(self) -> list[RequestProvider]:
        return sorted(self._providers.values(), key=lambda p: (p.order, p.key))

    def get(self, key: str) -> RequestProvider | None:
        return self._providers.get(key)


request_providers = RequestRegistry()


@dataclass(frozen=True)
class RequestPage:
    items: list[RequestItem]
    number: int
    count: int
    page_size: int

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGES, -(-self.count // self.page_size)))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def my_requests(
    user,
    *,
    page: int = 1,
    kind: str = "",
    open_only: bool = False,
    page_size: int = PAGE_SIZE,
) -> RequestPage:
    """Page ``page`` of what ``user`` asked for across the registered services (``kind``: one
    provider's key, "" for all). An unknown kind or an inactive user gives an empty page."""
    page = max(1, min(int(page), MAX_PAGES))
    if not _active(user):
        return RequestPage(items=[], number=1, count=0, page_size=page_size)
    providers = request_providers.all()
    if kind:
        providers = [p for p in providers if p.key == kind]
    limit = page * page_size
    merged: list[RequestItem] = []
    count = 0
    for provider in providers:
        count += provider.count(user, open_only=open_only)
        merged.extend(provider.items(user, limit=limit, open_only=open_only)[:limit])
    merged.sort(key=lambda item: item.sort_key, reverse=True)
    pages = max(1, min(MAX_PAGES, -(-count // page_size)))
    page = min(page, pages)
    start = (page - 1) * page_size
    return RequestPage(
        items=merged[start : start + page_size], number=page, count=count, page_size=page_size
    )
