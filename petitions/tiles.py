"""The citizen mailbox tiles: the public form, and the staff triage for those who may use it."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

from .selectors.staff import may_use_staff_pages

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

tiles.register(
    Tile(
        key="petitions.staff",
        surface=Tile.INTRANET,
        title=_("Citizen petitions"),
        description=_("Cases of your unit: triage, replies, deadlines and overdue cases."),
        url_name="petitions:staff:triage",
        icon="envelope-open",
        order=30,
        visible=may_use_staff_pages,
    )
)
