"""Portal-wide roles of the monitoring app (synced into ``accounts.Role`` after migrate).

=====================  ========================================================================
role                   may
=====================  ========================================================================
monitoring.manager     every check, group, contact rule, maintenance window and incident;
                       create, change and pause checks anywhere
monitoring.operator    the checks of the application groups of the units the role covers:
                       see them, create and pause checks in those groups, acknowledge their
                       incidents
=====================  ========================================================================

A group belongs to a unit (``ApplicationGroup.unit``); an operator's scope is
``accounts.authz.scope_q(user, OPERATOR, field="group__unit")``.
"""

from accounts.roles import RoleSpec

MANAGER = "monitoring.manager"
OPERATOR = "monitoring.operator"

ROLES = [
    RoleSpec(
        code=MANAGER,
        name_zh="服務監控管理者",
        name_en="Monitoring manager",
        description="Manages every check, application group, contact rule, maintenance window "
        "and incident of the service monitor.",
        sensitive=True,
    ),
    RoleSpec(
        code=OPERATOR,
        name_zh="服務監控值班人員",
        name_en="Monitoring operator",
        description="Sees and pauses the checks of the application groups of the units the "
        "role covers, creates checks there and acknowledges their incidents.",
    ),
]
