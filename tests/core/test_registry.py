from types import SimpleNamespace

import pytest

from core.registry import Tile, TileRegistry, tiles


def test_tiles_sorted_and_filtered_by_surface_and_visibility():
    reg = TileRegistry()
    reg.register(Tile(key="b", surface=Tile.PUBLIC, title="B", url="/b", order=2))
    reg.register(Tile(key="a", surface=Tile.PUBLIC, title="A", url="/a", order=1))
    reg.register(Tile(key="i", surface=Tile.INTRANET, title="I", url="/i"))
    reg.register(
        Tile(key="s", surface=Tile.PUBLIC, title="S", url="/s", visible=lambda u: u.is_staff)
    )
    anonymous = SimpleNamespace(is_staff=False)
    assert [t.key for t in reg.for_surface(Tile.PUBLIC, anonymous)] == ["a", "b"]
    staff = SimpleNamespace(is_staff=True)
    assert [t.key for t in reg.for_surface(Tile.PUBLIC, staff)] == ["a", "b", "s"]


def test_tile_with_unknown_url_name_is_hidden():
    reg = TileRegistry()
    reg.register(Tile(key="x", surface=Tile.PUBLIC, title="X", url_name="nope:nothing"))
    assert reg.for_surface(Tile.PUBLIC, None) == []


def test_unknown_surface_refused():
    with pytest.raises(ValueError):
        TileRegistry().register(Tile(key="x", surface="moon", title="X", url="/"))


def test_every_registered_tile_links_somewhere():
    """A tile whose URL name does not resolve is hidden at run time; catch that here."""
    broken = [tile.key for tile in tiles._tiles.values() if not tile.href()]
    assert broken == []
