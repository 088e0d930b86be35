from accounts.roles import RoleSpec

ROLES = [
    RoleSpec(code="sample_app.clerk", name_zh="承辦人", name_en="Clerk"),
    RoleSpec(code="sample_app.auditor", name_zh="稽核", name_en="Auditor", sensitive=True),
]
