"""The intranet tile of meeting tracking: shown to holders of a meetings role (read from the
role cache every page already has, so the intranet home asks no query for it). Members of a
filing unit without a role reach their material through the to-do notices' links."""

from django.utils.translation import gettext_lazy as _

from accounts import authz
from core.registry import Tile, tiles

from .roles import CONTROLLER, EXECUTIVE, FILER, SECRETARY


def _visible(user) -> bool:
    return any(authz.has_role(user, role) for role in (CONTROLLER, SECRETARY, EXECUTIVE, FILER))


tiles.register(
    Tile(
        key="meetings",
        surface=Tile.INTRANET,
        title=_("Meeting tracking"),
        nav_title=_("Meetings"),
        description=_(
            "Meetings, the units' material, the meeting book, tracked cases and the paperless "
            "meeting screen."
        ),
        url_name="meetings:list",
        icon="easel",
        order=40,
        visible=_visible,
    )
)
