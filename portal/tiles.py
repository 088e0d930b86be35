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

tiles.register(
    Tile(
        key="portal-requests",
        surface=Tile.INTRANET,
        title=_("My requests"),
        description=_("Everything you asked for through the portal, and where each one stands."),
        url_name="portal:my_requests",
        icon="list-check",
        order=31,
    )
)

tiles.register(
    Tile(
        key="portal-approvals",
        surface=Tile.INTRANET,
        title=_("My approvals"),
        description=_("Every approval waiting for you, from every service, in one list."),
        url_name="portal:my_approvals",
        icon="check2-square",
        order=32,
    )
)

tiles.register(
    Tile(
        key="portal-leave",
        surface=Tile.INTRANET,
        title=_("Leave"),
        nav_title=_("Leave"),
        description=_("Request leave, see your balances, answer as a deputy, see your team."),
        url_name="portal:leave",
        icon="calendar-check",
        order=33,
    )
)

tiles.register(
    Tile(
        key="portal-payslips",
        surface=Tile.INTRANET,
        title=_("My payslips"),
        description=_("Your monthly payslips: read them, download the PDF, mail it encrypted."),
        url_name="portal:payslips",
        icon="wallet2",
        order=34,
    )
)

tiles.register(
    Tile(
        key="portal-repair",
        surface=Tile.INTRANET,
        title=_("IT repair"),
        nav_title=_("Repair"),
        description=_("Report a computer problem, follow its ticket, rate the service."),
        url_name="portal:repair_tickets",
        icon="tools",
        order=36,
    )
)

tiles.register(
    Tile(
        key="portal-procurement",
        surface=Tile.INTRANET,
        title=_("Procurement requests"),
        description=_("Request a tender or purchase and follow its approval."),
        url_name="portal:procurement_requests",
        icon="cart",
        order=37,
    )
)

tiles.register(
    Tile(
        key="portal-loans",
        surface=Tile.INTRANET,
        title=_("Equipment loans"),
        nav_title=_("Loans"),
        description=_("Borrow a laptop, projector or camera for the days you need it."),
        url_name="portal:loans",
        icon="laptop",
        order=34,
    )
)

tiles.register(
    Tile(
        key="portal-supplies",
        surface=Tile.INTRANET,
        title=_("Supplies"),
        nav_title=_("Supplies"),
        description=_("Ask for toner, paper and other consumables from the stores."),
        url_name="portal:supplies",
        icon="box-seam",
        order=36,
    )
)
