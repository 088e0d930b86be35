"""Demo applications of the single sign-on for the embedded default (``manage.py seed_demo``):
clients with roles, an access policy and launcher tiles, one external application (consent
screen) and one system client for trying the rights API. Idempotent (by client id)."""

from urllib.parse import urlsplit

from oauth2_provider.settings import oauth2_settings

from core.models import Organization
from core.registry import demo_loader

from ..models import Application, Role, User
from .services import application_prepare, role_assign

# Demo only: seed_demo refuses production, and the secret is printed for trying the API.
DEMO_CLIENT_SECRET = "mol-demo-client-secret-2026-not-for-production"  # noqa: S105

# (client id, name, English name, grant, internal, launch URL, icon, allowed unit codes, roles)
DEMO_APPLICATIONS = [
    (
        "demo-documents",
        "公文線上簽核系統",
        "Official documents and sign-off",
        Application.GRANT_AUTHORIZATION_CODE,
        True,
        "http://127.0.0.1:8000/documents/",
        "file-earmark-text",
        [],
        [("clerk", "承辦人", "Clerk"), ("admin", "系統管理者", "Administrator")],
    ),
    (
        "demo-attendance",
        "差勤管理系統",
        "Leave and attendance",
        Application.GRANT_AUTHORIZATION_CODE,
        True,
        "https://attendance.demo.mol.gov.tw/",
        "calendar-check",
        [],
        [("employee", "員工", "Employee"), ("approver", "核假主管", "Approver")],
    ),
    (
        "demo-it-assets",
        "資訊資產管理系統",
        "IT asset register",
        Application.GRANT_AUTHORIZATION_CODE,
        True,
        "https://itam.demo.mol.gov.tw/",
        "pc-display",
        ["IM"],  # only the Department of Information Management (and its sections)
        [("admin", "系統管理者", "Administrator")],
    ),
    (
        "demo-training-partner",
        "終身學習入口（委外）",
        "Lifelong learning (outsourced)",
        Application.GRANT_AUTHORIZATION_CODE,
        False,  # external: people are asked for consent
        "https://learning.demo.example.tw/",
        "mortarboard",
        [],
        [],
    ),
    (
        "demo-monitoring",
        "服務監控系統（系統用戶端）",
        "Service monitor (system client)",
        Application.GRANT_CLIENT_CREDENTIALS,
        True,
        "",
        "activity",
        [],
        [],
    ),
]

# (username, client id, role code)
DEMO_ROLES = [
    ("chen.yiming", "demo-documents", "clerk"),
    ("wang.jianguo", "demo-documents", "admin"),
    ("lin.meihua", "demo-attendance", "employee"),
    ("wang.jianguo", "demo-attendance", "approver"),
    ("wang.jianguo", "demo-it-assets", "admin"),
]


LOCAL_CALLBACK_BASE = "http://127.0.0.1:9000"
LOCAL_PORTAL_BASE = "http://127.0.0.1:8000"


def demo_callback_base() -> str | None:
    """Where the demo applications' redirect URIs point.

    Plain http (``http://127.0.0.1:9000``) where http redirect URIs are allowed (the embedded
    default, debug, ``OIDC_ALLOW_HTTP_REDIRECTS=1``); otherwise (a production-mode staging
    server) ``https://`` + the host of ``OIDC_ISSUER``; None when that is not an https URL, and
    the demo applications that need redirect URIs are then skipped."""
    if "http" in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES:
        return LOCAL_CALLBACK_BASE
    issuer = urlsplit(oauth2_settings.OIDC_ISS_ENDPOINT or "")
    if issuer.scheme != "https" or not issuer.netloc:
        return None
    return f"https://{issuer.netloc}"


@demo_loader(order=20)
def load_applications(stdout):
    callback_base = demo_callback_base()
    skipped = []
    for client_id, name, name_en, grant, internal, url, icon, units, roles in DEMO_APPLICATIONS:
        if grant == Application.GRANT_AUTHORIZATION_CODE and callback_base is None:
            skipped.append(client_id)
            continue
        if url.startswith(LOCAL_PORTAL_BASE) and callback_base != LOCAL_CALLBACK_BASE:
            url = callback_base + url.removeprefix(LOCAL_PORTAL_BASE)
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            application = Application(client_id=client_id, client_secret=DEMO_CLIENT_SECRET)
        application.name = name
        application.name_en = name_en
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = grant
        application.is_internal = internal
        application.launch_url = url
        application.icon = icon
        application.show_in_launcher = bool(url)
        if grant == Application.GRANT_AUTHORIZATION_CODE:
            application.redirect_uris = f"{callback_base}/{client_id}/callback"
            application.post_logout_redirect_uris = f"{callback_base}/{client_id}/"
        application_prepare(application=application)
        application.full_clean()
        application.save()
        application.allowed_units.set(Organization.objects.filter(code__in=units))
        for code, role_zh, role_en in roles:
            Role.objects.update_or_create(
                application=application,
                code=code,
                defaults={"name_zh": role_zh, "name_en": role_en},
            )
    users = {u.username: u for u in User.objects.filter(username__in={r[0] for r in DEMO_ROLES})}
    for username, client_id, code in DEMO_ROLES:
        if username in users and client_id not in skipped:
            role_assign(
                application=Application.objects.get(client_id=client_id),
                user=users[username],
                role_code=code,
            )
    stdout.write(
        "  demo OIDC clients (secret "
        f"{DEMO_CLIENT_SECRET}): "
        + ", ".join(a[0] for a in DEMO_APPLICATIONS if a[0] not in skipped)
        + "; discovery at /o/.well-known/openid-configuration"
    )
    if skipped:
        stdout.write(
            "  skipped (they need redirect URIs: only https is allowed here and OIDC_ISSUER "
            "is not an https URL): " + ", ".join(skipped)
        )
