"""Portal-wide roles of the employee portal (synced into ``accounts.Role`` after migrate).

=====================  =========================================================================
role                   may
=====================  =========================================================================
portal.room_manager    manage the rooms whose managing unit the role covers: approve or refuse
                       bookings of their restricted rooms (when the room names no approver),
                       see and cancel every booking of those rooms
portal.leave_officer   personnel (人事): see the leave requests of the units in scope
portal.payroll_officer import the monthly payroll file (payslips of every person); held
                       anywhere, since payroll is ministry-wide. Reading a slip stays its
                       person's alone, officers included
=====================  =========================================================================

Leave, loans, supplies, IT repair, procurement and payslips will add their roles here.
"""

from accounts.roles import RoleSpec

ROOM_MANAGER = "portal.room_manager"
LEAVE_OFFICER = "portal.leave_officer"
PAYROLL_OFFICER = "portal.payroll_officer"

ROLES = [
    RoleSpec(
        code=ROOM_MANAGER,
        name_zh="會議室管理人",
        name_en="Meeting-room manager",
        description="Approves bookings of restricted meeting rooms of the units in scope and "
        "may cancel any booking of those rooms.",
    ),
    RoleSpec(
        code=LEAVE_OFFICER,
        name_zh="差假管理人",
        name_en="Leave officer",
        description="Personnel: sees the leave requests of the units in scope.",
    ),
    RoleSpec(
        code=PAYROLL_OFFICER,
        name_zh="薪資承辦人",
        name_en="Payroll officer",
        description="Imports the monthly payroll file into the employee portal's payslips.",
    ),
]

LOAN_MANAGER = "portal.loan_manager"
STORE_KEEPER = "portal.store_keeper"

ROLES += [
    RoleSpec(
        code=LOAN_MANAGER,
        name_zh="資訊設備借用管理人",
        name_en="Equipment loan manager",
        description="Checks loanable equipment of the units in scope out and back in, and sees "
        "every loan of that equipment.",
    ),
    RoleSpec(
        code=STORE_KEEPER,
        name_zh="耗材物品管理人",
        name_en="Store keeper",
        description="Issues supplies from the stores of the units in scope, gets their "
        "low-stock alerts and reads the monthly issue report.",
    ),
]
