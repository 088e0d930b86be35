"""The app's tiles on the intranet home page."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="property.custody",
        surface=Tile.INTRANET,
        title=_("My property"),
        description=_("Items in your custody, transfers to accept, scrap and transfer requests."),
        url_name="property:custody",
        icon="box-seam",
        order=40,
    )
)
