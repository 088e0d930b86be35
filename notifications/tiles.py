"""The inbox tile on the intranet home page."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="notifications.inbox",
        surface=Tile.INTRANET,
        title=_("My notices"),
        description=_("Notices, to-dos and alerts from every application, in one inbox."),
        url_name="notifications:inbox",
        icon="bell",
        order=5,
    )
)
