"""The app's tiles on the intranet home page (and so in the header navigation)."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

from .selectors import can_use

tiles.register(
    Tile(
        key="labor_admin.cases",
        surface=Tile.INTRANET,
        title=_("Labour administration cases"),
        nav_title=_("Labour cases"),
        description=_("Cases of your labour unit: intake, my cases, overdue, transitions."),
        url_name="labor_admin:list",
        icon="briefcase",
        order=40,
        visible=can_use,
    )
)
tiles.register(
    Tile(
        key="labor_admin.board",
        surface=Tile.INTRANET,
        title=_("National labour case board"),
        description=_("Received, closed, open and overdue cases by type and county, live."),
        url_name="labor_admin:board",
        icon="bar-chart",
        order=41,
        visible=can_use,
        in_nav=False,
    )
)
