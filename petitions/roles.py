"""Portal-wide roles of the citizen mailbox (synced into ``accounts.Role`` after migrate).

A role held for a unit covers the cases whose handling unit it covers (with sub-units unless
the assignment says otherwise); held without a unit, every case. Besides the roles, the
person a case is assigned to (``Petition.handler``) may read and act on that case.

=====================  ==========================================================================
role                   may
=====================  ==========================================================================
petitions.viewer       read cases (case page, triage list, CSV export, overdue dashboard)
petitions.handler      read; note, assign, extend the deadline, reply (through sign-off), reject,
                       merge
petitions.supervisor   read; note, assign, extend the deadline (not reply, reject or merge)
petitions.dispatcher   the queue of incoming mail matching no case (it has no unit yet): read it
                       and attach a message to a case the dispatcher may read
=====================  ==========================================================================
"""

from accounts.roles import RoleSpec

VIEWER = "petitions.viewer"
HANDLER = "petitions.handler"
SUPERVISOR = "petitions.supervisor"
DISPATCHER = "petitions.dispatcher"

#: Roles that let one read the cases of the units they cover.
READ_ROLES = (VIEWER, HANDLER, SUPERVISOR)
#: Roles that let one note, assign and extend.
MANAGE_ROLES = (HANDLER, SUPERVISOR)
#: Roles that let one reply, reject and merge.
HANDLE_ROLES = (HANDLER,)

ROLES = [
    RoleSpec(
        code=VIEWER,
        name_zh="陳情案件檢視",
        name_en="Petition viewer",
        description="Reads the citizen petitions of the units the role covers (cases, list, "
        "export, overdue dashboard).",
        sensitive=False,
    ),
    RoleSpec(
        code=HANDLER,
        name_zh="陳情案件承辦人",
        name_en="Petition handler",
        description="Handles the citizen petitions of the units the role covers: notes, "
        "assignment, deadline extensions, replies through sign-off, rejection and merging.",
        sensitive=False,
    ),
    RoleSpec(
        code=SUPERVISOR,
        name_zh="陳情案件主管",
        name_en="Petition supervisor",
        description="Reads the citizen petitions of the units the role covers, assigns them, "
        "extends their deadlines and follows the overdue dashboard.",
        sensitive=False,
    ),
    RoleSpec(
        code=DISPATCHER,
        name_zh="陳情信件分文",
        name_en="Petition mail dispatcher",
        description="Reads incoming petition mail that matched no case and attaches it to a case.",
        sensitive=False,
    ),
]
