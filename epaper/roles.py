"""Portal-wide roles of the e-papers (synced into ``accounts.Role`` after migrate).

=========================  ===================================================================
role                       may
=========================  ===================================================================
epaper.manager             every newsletter: subscribers (import, export, erasure), bounces,
                           statistics, and everything an editor may do
epaper.editor.<code>       one newsletter: write issues, preview, send a test to oneself,
                           schedule and send, see its statistics
=========================  ===================================================================

The roles are held without a unit (newsletters belong to the ministry); a newsletter names its
editors' role in ``Newsletter.editor_role``. A newsletter added later in the admin names an
existing role (e.g. a new ``epaper.editor.<code>`` created in the admin's roles).
"""

from accounts.roles import RoleSpec

MANAGER = "epaper.manager"

#: (code, 中文, English) of the seven newsletters of the seed (migration 0002 creates them).
NEWSLETTERS = [
    ("weekly", "勞工電子週報", "Labor e-Weekly"),
    ("bulletin", "台灣勞工簡訊", "Taiwan Labor Bulletin"),
    ("education", "全民勞教e網電子報", "Labor Education for All e-Newsletter"),
    ("quarterly", "台灣勞工季刊", "Taiwan Labor Quarterly"),
    ("statistics", "勞動統計電子報", "Labor Statistics e-Newsletter"),
    ("bli", "勞工保險局電子報", "Bureau of Labor Insurance e-Newsletter"),
    ("wda", "勞動力發展署電子報", "Workforce Development Agency e-Newsletter"),
]


def editor_role(code: str) -> str:
    return f"epaper.editor.{code}"


ROLES = [
    RoleSpec(
        code=MANAGER,
        name_zh="電子報管理者",
        name_en="E-paper manager",
        description="Manages every newsletter: subscribers (import, export, erasure), bounces "
        "and statistics, and writes and sends issues of any newsletter.",
        sensitive=True,
    ),
    *(
        RoleSpec(
            code=editor_role(code),
            name_zh=f"{name_zh}編輯",
            name_en=f"Editor of {name_en}",
            description=f"Writes, previews, schedules and sends the issues of {name_en}.",
        )
        for code, name_zh, name_en in NEWSLETTERS
    ),
]
