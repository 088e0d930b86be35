"""The citizen mailbox tile on the public home page."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="petitions.public",
        surface=Tile.PUBLIC,
        title=_("Citizen mailbox"),
        description=_("Write to the Ministry of Labor and follow your case with its query code."),
        url_name="petitions:submit",
        icon="envelope",
        order=10,
    )
)
