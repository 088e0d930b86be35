"""Portal-wide roles of the document register (synced into ``accounts.Role``)."""

from accounts.roles import RoleSpec

from .constants import ROLE_REGISTRAR

ROLES = [
    RoleSpec(
        code=ROLE_REGISTRAR,
        name_zh="公文登記人員",
        name_en="Document registrar",
        description="Registers official documents for the units in scope (held everywhere by "
        "system accounts that register through the API).",
    ),
]
