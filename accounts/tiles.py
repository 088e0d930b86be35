"""The intranet tiles of the accounts app: the launcher (always first) and account security."""

from django.utils.translation import gettext_lazy as _

from core.registry import Tile, tiles

tiles.register(
    Tile(
        key="accounts.launcher",
        surface=Tile.INTRANET,
        title=_("My applications"),
        description=_("Open the systems you may use, and your own quick links."),
        url_name="accounts:launcher",
        icon="grid-3x3-gap",
        order=0,
    )
)
tiles.register(
    Tile(
        key="accounts.security",
        surface=Tile.INTRANET,
        title=_("Sign-in and security"),
        description=_("Two-step verification, password, certificates and where you are signed in."),
        url_name="accounts:security",
        icon="shield-lock",
        order=700,
    )
)
