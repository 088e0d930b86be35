"""Registries that let apps plug into shared pages without editing them.

* ``tiles``: links on the public and intranet home pages. An app registers its tiles in its
  ``AppConfig.ready()``::

      from core.registry import Tile, tiles
      tiles.register(Tile(key="petitions", surface=Tile.PUBLIC, title=_("Citizen mailbox"),
                          url_name="petitions:new", icon="envelope", order=10))

* ``demo_loaders``: functions that load each app's demo data for ``manage.py seed_demo``.
  An app puts them in ``<app>/demo.py`` with the ``@demo_loader(order=...)`` decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules


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
    def __init__(self):
        self._tiles: dict[str, Tile] = {}

    def register(self, tile: Tile) -> Tile:
        if tile.surface not in (Tile.PUBLIC, Tile.INTRANET):
            raise ValueError(f"unknown surface {tile.surface!r}")
        self._tiles[tile.key] = tile
        return tile

    def unregister(self, key: str) -> None:
        self._tiles.pop(key, None)

    def for_surface(self, surface: str, user=None) -> list[Tile]:
        found = [
            t
            for t in self._tiles.values()
            if t.surface == surface and t.is_visible_to(user) and t.href()
        ]
        return sorted(found, key=lambda t: (t.order, t.key))


tiles = TileRegistry()


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
