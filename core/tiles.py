"""The shared kernel's own tiles on the home pages."""

from django.utils.translation import gettext_lazy as _

from .registry import Tile, tiles

tiles.register(
    Tile(
        key="core.accessibility",
        surface=Tile.PUBLIC,
        title=_("Accessibility"),
        description=_("How this site meets WCAG 2.1 AA and how to report a barrier."),
        url_name="core:accessibility",
        icon="universal-access",
        order=900,
    )
)
tiles.register(
    Tile(
        key="core.privacy",
        surface=Tile.PUBLIC,
        title=_("Privacy notice"),
        description=_(
            "What personal data we collect and why, under the Personal Data Protection Act."
        ),
        url_name="core:privacy",
        icon="shield",
        order=910,
    )
)
tiles.register(
    Tile(
        key="core.api_docs",
        surface=Tile.INTRANET,
        title=_("API documentation"),
        description=_("The REST API that other systems call."),
        url_name="api-docs",
        icon="code",
        order=800,
    )
)
tiles.register(
    Tile(
        key="core.admin",
        surface=Tile.INTRANET,
        title=_("Administration"),
        description=_("Organisation, users and the audit log."),
        url_name="admin:index",
        icon="gear",
        order=900,
        visible=lambda user: getattr(user, "is_staff", False),
    )
)
