"""The e-paper tiles: the public subscription page, the editors' pages for those who edit a
newsletter, and the subscriber pages for the e-paper managers."""

from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.registry import Tile, tiles

from .roles import MANAGER
from .selectors_archive import is_editor

tiles.register(
    Tile(
        key="epaper.public",
        surface=Tile.PUBLIC,
        title=_("Newsletters"),
        description=_(
            "Subscribe to the Ministry of Labor's newsletters, or read every issue online."
        ),
        url_name="epaper:subscribe",
        icon="envelope-paper",
        order=20,
    )
)

tiles.register(
    Tile(
        key="epaper.editor",
        surface=Tile.INTRANET,
        title=_("Newsletter editing"),
        nav_title=_("Newsletters"),
        description=_("Write, preview, test and schedule the issues of the newsletters you edit."),
        url_name="epaper:editor",
        icon="newspaper",
        order=50,
        visible=is_editor,
    )
)

tiles.register(
    Tile(
        key="epaper.subscribers",
        surface=Tile.INTRANET,
        title=_("Newsletter subscribers"),
        description=_("Subscribers of every newsletter: import, export, erasure and bounces."),
        url_name="epaper:subscribers",
        icon="envelope-at",
        order=51,
        in_nav=False,
        visible=lambda user: authz.has_role(user, MANAGER),
    )
)
