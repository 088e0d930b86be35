"""The intranet tile of the employee portal: meeting-room booking, for every member of staff
(the other services of the portal will add their tiles or share this one)."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="portal-rooms",
        surface=Tile.INTRANET,
        title=_("Meeting rooms"),
        nav_title=_("Rooms"),
        description=_("Find a free meeting room, book it once or every week, invite people."),
        url_name="portal:rooms",
        icon="door-open",
        order=30,
    )
)
