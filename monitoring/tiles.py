"""The monitoring tile: the dashboard, for monitoring managers and operators."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

from .selectors import may_use

tiles.register(
    Tile(
        key="monitoring.dashboard",
        surface=Tile.INTRANET,
        title=_("Service monitoring"),
        nav_title=_("Monitoring"),
        description=_("State, uptime and incidents of every application the ministry runs."),
        url_name="monitoring:dashboard",
        icon="activity",
        order=70,
        visible=may_use,
    )
)
