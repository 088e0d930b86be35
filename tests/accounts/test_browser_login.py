"""In a real Chromium: password + TOTP login, the launcher, sign out everywhere; enrolment of
an administrator without a device; axe-core on the login, 2FA, enrolment and launcher pages."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Application, UserSession
from tests.browser_support import CHROMIUM_ARGS, DESKTOP, check_axe, watch_problems
from tests.language_support import english_context

from .mfa_support import (
    code_for,
    enrol,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(needs_chromium):
    """An English page (assertions read English text) that records CSP violations and
    script errors."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - after needs_chromium

    problems = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=needs_chromium, args=CHROMIUM_ARGS)
        context = english_context(chromium.new_context(viewport=DESKTOP))
        page = context.new_page()
        watch_problems(page, problems)
        yield page
        context.close()
        chromium.close()
    assert problems == [], "CSP violations or script errors:\n" + "\n".join(problems)


def password_step(page, base_url, username, password, start="/accounts/launcher/"):
    page.goto(base_url + start)
    assert "/accounts/login/" in page.url
    check_axe(page, "login page")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_password_and_totp_login_launcher_and_sign_out_everywhere(
    live_server, page, make_user, password
):
    user = make_user(username="wang.jianguo", name_en="Wang Jian-guo", is_staff=True)
    device, _codes = enrol(user)
    Application.objects.create(
        name="差勤管理系統",
        name_en="Leave and attendance",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://leave.example.gov.tw/cb",
        launch_url="https://leave.example.gov.tw/",
        icon="calendar-check",
    )

    password_step(page, live_server.url, user.username, password)

    assert page.url.endswith("/accounts/login/verify/")
    assert page.locator("h1").inner_text() == "Two-step verification"
    check_axe(page, "2FA step")
    page.get_by_label("Verification code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Verify and sign in").click()
    assert "That code is not right" in page.get_by_role("alert").inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check_axe(page, "2FA step with an error")
    page.wait_for_timeout(1100)  # django-otp throttling: one second after a wrong code

    page.get_by_label("Verification code").fill(code_for(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify and sign in").click()

    assert page.url == live_server.url + "/accounts/launcher/"
    assert page.locator("h1").inner_text() == "My applications"
    assert page.get_by_role("link", name="Leave and attendance").is_visible()
    page.get_by_label("Title").fill("Intranet wiki")
    page.get_by_label("Web address").fill("https://wiki.example.gov.tw/")
    with page.expect_navigation():
        page.get_by_role("button", name="Add link").click()
    assert page.get_by_role("link", name="Intranet wiki").is_visible()
    check_axe(page, "launcher")

    page.goto(live_server.url + "/accounts/sessions/")
    assert page.locator("tbody tr").count() == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out everywhere").click()

    assert "/accounts/login/" in page.url
    assert not UserSession.objects.filter(user=user, ended_at__isnull=True).exists()
    page.goto(live_server.url + "/intranet/")
    assert "/accounts/login/" in page.url


def test_administrator_without_a_device_enrols_during_login(live_server, page, make_user, password):
    user = make_user(username="lin.admin", is_staff=True)

    password_step(page, live_server.url, user.username, password, start="/intranet/")

    assert page.url.endswith("/accounts/login/enrol/")
    assert page.locator("h1").inner_text() == "Set up two-step verification"
    qr = page.get_by_role(
        "img", name="QR code that adds your ministry account to the authenticator app"
    )
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code image loads under the CSP"
    check_axe(page, "enrolment")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code from the app").fill(code_for(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm and turn on").click()

    assert page.url.endswith("/accounts/two-factor/backup-codes/")
    assert page.locator("ol.backup-code-list li").count() == 10
    check_axe(page, "backup codes")
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved my codes — continue").click()
    assert page.url == live_server.url + "/intranet/"


def test_security_sessions_password_and_lockout_pages_pass_axe(
    live_server, page, make_user, password, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(username="chen.yiming")
    password_step(page, live_server.url, user.username, password, start="/accounts/security/")
    assert page.url == live_server.url + "/accounts/security/"
    check_axe(page, "sign-in and security")
    for path, label in [
        ("/accounts/sessions/", "my sessions"),
        ("/accounts/password/", "password change"),
        ("/accounts/two-factor/enrol/", "optional enrolment"),
    ]:
        page.goto(live_server.url + path)
        check_axe(page, label)

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    for _attempt in range(2):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("wrong password")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
    assert page.locator("h1").inner_text().strip() == "Sign-in temporarily locked"
    assert page.locator("[lang='zh-Hant']").count() >= 1, "also in the other language"
    check_axe(page, "lockout page")
