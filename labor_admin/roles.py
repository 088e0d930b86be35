"""Portal-wide roles of the labour-administration platform (synced into ``accounts.Role``).

Each is held in a unit (with or without its sub-units) or everywhere: a unit's case officers
hold ``clerk`` in their unit, a county authority's staff ``viewer`` over the authority and its
offices, the ministry's statisticians ``viewer`` everywhere (they see all, change nothing)."""

from accounts.roles import RoleSpec

from .constants import ROLE_CLERK, ROLE_SUPERVISOR, ROLE_VIEWER

ROLES = [
    RoleSpec(
        code=ROLE_CLERK,
        name_zh="勞工行政案件承辦人",
        name_en="Labour case officer",
        description="Takes in and handles the cases of the units the role covers.",
    ),
    RoleSpec(
        code=ROLE_SUPERVISOR,
        name_zh="勞工行政案件主管",
        name_en="Labour case supervisor",
        description="Makes the supervisor's transitions (closing, deciding) of the units' cases.",
    ),
    RoleSpec(
        code=ROLE_VIEWER,
        name_zh="勞工行政案件查閱",
        name_en="Labour case reader",
        description="Reads the cases and figures of the units the role covers (the ministry: "
        "everywhere), without changing them.",
    ),
]
