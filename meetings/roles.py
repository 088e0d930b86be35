"""Portal-wide roles of meeting tracking (synced into ``accounts.Role`` after migrate).

=====================  =========================================================================
role                   may
=====================  =========================================================================
meetings.controller    管考人員 of the series' organising unit (held in that unit, or without a
                       unit): create meetings, open and close filing, grant late changes, build
                       the meeting book, propose 解除列管 / 繼續列管, read everything
meetings.secretary     record decisions and directives, drive the meeting screen (besides the
                       meeting's own secretary)
meetings.executive     read every meeting, report, book and tracked case; use the screen
meetings.filer         file the unit's report and the progress of its tracked cases (the unit's
                       head and deputies may too)
=====================  =========================================================================
"""

from accounts.roles import RoleSpec

CONTROLLER = "meetings.controller"
SECRETARY = "meetings.secretary"
EXECUTIVE = "meetings.executive"
FILER = "meetings.filer"

ROLES = [
    RoleSpec(
        code=CONTROLLER,
        name_zh="會報管考人員",
        name_en="Meeting controller",
        description="Opens meetings for filing, grants late changes, builds the meeting book "
        "and proposes closing or keeping tracked cases, for the series of the units in scope.",
    ),
    RoleSpec(
        code=SECRETARY,
        name_zh="會報幕僚",
        name_en="Meeting secretary",
        description="Records decisions and directives and drives the paperless meeting screen.",
    ),
    RoleSpec(
        code=EXECUTIVE,
        name_zh="會報首長",
        name_en="Meeting executive",
        description="Reads every meeting, unit report, meeting book and tracked case.",
    ),
    RoleSpec(
        code=FILER,
        name_zh="會報資料填報人",
        name_en="Meeting material filer",
        description="Files the unit's meeting material and the progress of its tracked cases.",
    ),
]
