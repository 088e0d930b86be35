"""The intranet tile of meeting tracking: shown to whoever sees a meeting or a case."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

from . import selectors


def _visible(user) -> bool:
    if selectors.reads_everything(user):
        return True
    return selectors.meeting_list(user).exists() or selectors.case_list(user).exists()


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
