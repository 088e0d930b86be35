"""Portal-wide roles of the property app (synced into ``accounts.Role``)."""

from accounts.roles import RoleSpec

from .constants import ROLE_CONSOLIDATOR, ROLE_OFFICER

ROLES = [
    RoleSpec(
        code=ROLE_OFFICER,
        name_zh="財產管理人員",
        name_en="Property officer",
        description="Keeps the property register of the agencies in scope: registers "
        "acquisitions, sees every item, runs stock-takes and the agency's reports.",
    ),
    RoleSpec(
        code=ROLE_CONSOLIDATOR,
        name_zh="財產彙報人員",
        name_en="Property consolidator",
        description="Builds the ministry's consolidated statement and the transmission file "
        "for the National Property Administration over the agencies in scope.",
    ),
]
