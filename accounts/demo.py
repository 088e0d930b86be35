"""Demo accounts for the embedded default. Their password is printed by ``make run``."""

from core.models import Organization
from core.registry import demo_loader

from .mfa.selectors import mfa_required
from .models import User

DEMO_PASSWORD = "mol-demo-2026"  # noqa: S105 - demo only; seed_demo refuses production

# (username, employee number, name_zh, name_en, unit code, title, staff, superuser)
DEMO_USERS = [
    ("admin", "A0001", "系統管理員", "System Administrator", "IM", "資訊管理師", True, True),
    ("chen.yiming", "M1001", "陳怡明", "Chen Yi-ming", "DLR", "科員", False, False),
    ("lin.meihua", "M1002", "林美華", "Lin Mei-hua", "SEC", "專員", False, False),
    ("wang.jianguo", "M1003", "王建國", "Wang Jian-guo", "IM", "科長", True, False),
    ("huang.shufen", "M1004", "黃淑芬", "Huang Shu-fen", "DLSEE", "視察", False, False),
    ("lee.zhiwei", "W2001", "李志偉", "Lee Zhi-wei", "WDA", "技正", False, False),
]


@demo_loader(order=10)
def load_users(stdout):
    units = {o.code: o for o in Organization.objects.filter(code__in={u[4] for u in DEMO_USERS})}
    for username, number, name_zh, name_en, unit, title, staff, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        values = {
            "employee_number": number,
            "name_zh": name_zh,
            "name_en": name_en,
            "email": f"{username}@demo.mol.gov.tw",
            "organization": units.get(unit),
            "job_title": title,
            "is_staff": staff,
            "is_superuser": superuser,
        }
        changed = [k for k, v in values.items() if getattr(user, k) != v]
        if user.pk is None or changed:
            for key, value in values.items():
                setattr(user, key, value)
            user.full_clean()
            user.save()
    logins = ", ".join(u[0] for u in DEMO_USERS)
    stdout.write(f"  demo logins (password {DEMO_PASSWORD}): {logins}")
    stdout.write(second_factor_notice(User.objects.filter(username__in=[u[0] for u in DEMO_USERS])))


def second_factor_notice(users) -> str:
    """The line ``make run`` prints next to the demo logins: which of ``users`` must use a
    second factor under the current policy (``MFA_REQUIRED_FOR_STAFF`` / ``_FOR_ALL``,
    sensitive roles) and how they enrol."""
    needing = sorted(user.username for user in users if mfa_required(user))
    if not needing:
        return "  second factor: not required for any demo login under the current policy"
    return (
        f"  second factor required for: {', '.join(needing)}. At the first login the portal "
        "shows a QR code and its secret: add it to an authenticator app (FreeOTP, Google or "
        "Microsoft Authenticator) and type the 6-digit code it shows. "
        "MFA_REQUIRED_FOR_STAFF=0 make run turns the rule off for a local try."
    )


from .oidc import demo as _oidc_demo  # noqa: E402,F401  (OIDC part: demo applications)
