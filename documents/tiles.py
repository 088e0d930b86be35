"""The app's tiles on the intranet home page."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="documents.signoffs",
        surface=Tile.INTRANET,
        title=_("My sign-offs"),
        description=_("Documents waiting for your approval, including those delegated to you."),
        url_name="documents:pending",
        icon="pen",
        order=20,
    )
)
tiles.register(
    Tile(
        key="documents.register",
        surface=Tile.INTRANET,
        title=_("Document register"),
        description=_("Official documents of your unit: search by number, subject or date."),
        url_name="documents:list",
        icon="folder2-open",
        order=21,
    )
)
