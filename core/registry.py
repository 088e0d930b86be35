"""Registries that let apps plug into shared pages without editing them.

* ``tiles``: links on the public and intranet home pages. An app registers its tiles in its
  ``AppConfig.ready()``::

      from core.registry import Tile, tiles
      tiles.register(Tile(key="petitions", surface=Tile.PUBLIC, title=_("Citizen mailbox"),
                          url_name="petitions:new", icon="envelope", order=10))

* ``app_nav``: the intranet header's navigation, built from the intranet tiles: every tile the
  person may see (its ``visible`` rule) is one entry, titled ``nav_title`` or its title; a
  tile with ``in_nav=False`` stays off the header. ``app_nav.for_request(request)`` marks the
  entry of the current page (the longest address that prefixes the path). A new app is in the
  header as soon as it registers an intranet tile.

* ``demo_loaders``: functions that load each app's demo data for ``manage.py seed_demo``.
  An app puts them in ``<app>/demo.py`` with the ``@demo_loader(order=...)`` decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    PUBLIC = "public"
    INTRANET = "intranet"

    key: str
    surface: str
    title: str
    url_name: str = ""
    url: str = ""
    description: str = ""
    icon: str = "grid"
    order: int = 100
    # Called with the user; the tile shows only when it returns True.
    visible: Callable[[object], bool] | None = field(default=None, compare=False)
    # The intranet header navigation (``app_nav``): shown there unless in_nav is False, under
    # nav_title when set (a shorter name), else under title.
    in_nav: bool = True
    nav_title: str = ""

    def href(self) -> str:
        if self.url:
            return self.url
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""

    def is_visible_to(self, user) -> bool:
        return self.visible is None or bool(self.visible(user))


class TileRegistry:
    """The tiles of every app. ``for_surface(surface, user)`` is remembered on the user object
    (a new one per request, like the role assignments ``accounts.authz`` caches there), so the
    home page's tiles and the header navigation ask each tile's ``visible`` rule once."""

    cache_attribute = "_mol_visible_tiles"

    def __init__(self):
        self._tiles: dict[str, Tile] = {}
        self._version = 0

    def register(self, tile: Tile) -> Tile:
        if tile.surface not in (Tile.PUBLIC, Tile.INTRANET):
            raise ValueError(f"unknown surface {tile.surface!r}")
        self._tiles[tile.key] = tile
        self._version += 1
        return tile

    def unregister(self, key: str) -> None:
        self._tiles.pop(key, None)
        self._version += 1

    def for_surface(self, surface: str, user=None) -> list[Tile]:
        cache = getattr(user, self.cache_attribute, None) if user is not None else None
        if cache is not None and cache[0] == self._version and surface in cache[1]:
            return list(cache[1][surface])
        found = sorted(
            (
                t
                for t in self._tiles.values()
                if t.surface == surface and t.is_visible_to(user) and t.href()
            ),
            key=lambda t: (t.order, t.key),
        )
        if user is not None:
            if cache is None or cache[0] != self._version:
                cache = (self._version, {})
            cache[1][surface] = found
            try:
                setattr(user, self.cache_attribute, cache)
            except AttributeError:  # an object that takes no attributes: no cache
                pass
        return list(found)


tiles = TileRegistry()


@dataclass(frozen=True)
class NavEntry:
    key: str
    title: str
    href: str
    icon: str
    current: bool = False


class AppNavigation:
    """The intranet header's links: home, then every intranet tile the user may see."""

    home_url_name = "core:intranet_home"

    def __init__(self, registry: TileRegistry):
        self.registry = registry

    def for_user(self, user) -> list[NavEntry]:
        entries = [
            NavEntry(
                key="core.home", title=_("Home"), href=reverse(self.home_url_name), icon="house"
            )
        ]
        for tile in self.registry.for_surface(Tile.INTRANET, user):
            if tile.in_nav:
                entries.append(
                    NavEntry(
                        key=tile.key,
                        title=tile.nav_title or tile.title,
                        href=tile.href(),
                        icon=tile.icon,
                    )
                )
        return entries

    def for_request(self, request) -> list[NavEntry]:
        entries = self.for_user(getattr(request, "user", None))
        path = request.path
        home = entries[0].href
        candidates = [
            e for e in entries if (e.href == path if e.href == home else path.startswith(e.href))
        ]
        if not candidates:
            return entries
        current = max(candidates, key=lambda e: len(e.href))
        return [replace(e, current=True) if e is current else e for e in entries]


app_nav = AppNavigation(tiles)


@dataclass(frozen=True)
class DemoLoader:
    name: str
    order: int
    func: Callable


_demo_loaders: dict[str, DemoLoader] = {}


def demo_loader(order: int = 100):
    """Register a demo-data loader: ``func(stdout) -> None``; it must be idempotent."""

    def decorator(func):
        name = f"{func.__module__}.{func.__name__}"
        _demo_loaders[name] = DemoLoader(name=name, order=order, func=func)
        return func

    return decorator


def demo_loaders() -> list[DemoLoader]:
    autodiscover_modules("demo")
    return sorted(_demo_loaders.values(), key=lambda d: (d.order, d.name))
