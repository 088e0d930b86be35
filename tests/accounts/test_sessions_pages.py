"""My sessions: active browser sessions and tokens, ending one or all, administrators doing
the same for anyone; idle timeout and absolute lifetime."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from oauth2_provider.models import AccessToken, RefreshToken

from accounts.models import Application, UserSession
from core.models import AuditLogEntry

from .mfa_support import (
    english,
    force_login_verified,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
    post_password,
    signed_in_user_id,
)


@pytest.fixture
def client(client):
    return english(client)


def browser(ip="10.0.0.1", agent="Mozilla/5.0 (X11; Linux) Firefox/140.0"):
    c = english(Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent))
    return c


@pytest.fixture
def app(db):
    return Application.objects.create(
        name="差勤系統",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://leave.example.gov.tw/cb",
        launch_url="https://leave.example.gov.tw/",
    )


def issue_tokens(user, application):
    access = AccessToken.objects.create(
        user=user,
        application=application,
        token="a-" + user.username,
        expires=timezone.now() + timedelta(minutes=10),
        scope="openid",
    )
    RefreshToken.objects.create(
        user=user, application=application, token="r-" + user.username, access_token=access
    )
    return access


def test_every_login_is_recorded_with_method_ip_and_device(make_user, password):
    user = make_user()
    c = browser(ip="10.7.7.7", agent="TestBrowser/1.0")
    post_password(c, user.username, password)
    record = UserSession.objects.get(user=user)
    assert record.method == "password"
    assert record.ip_address == "10.7.7.7"
    assert record.user_agent == "TestBrowser/1.0"
    assert record.session_key == c.session.session_key


def test_sessions_page_lists_my_sessions_and_tokens(make_user, password, app):
    user = make_user()
    office, phone = browser(agent="OfficePC/1"), browser(ip="10.0.0.2", agent="PhoneBrowser/2")
    post_password(office, user.username, password)
    post_password(phone, user.username, password)
    issue_tokens(user, app)

    page = office.get(reverse("accounts:sessions"))

    body = page.content.decode()
    assert page.status_code == 200
    assert "OfficePC/1" in body and "PhoneBrowser/2" in body
    assert "This browser" in body
    assert "差勤系統" in body


def test_ending_one_session_makes_its_next_request_anonymous(make_user, password):
    user = make_user()
    office, phone = browser(), browser(ip="10.0.0.2")
    post_password(office, user.username, password)
    post_password(phone, user.username, password)
    record = UserSession.objects.get(session_key=phone.session.session_key)

    response = office.post(reverse("accounts:session_end", args=[record.pk]))

    assert response.status_code == 302
    assert phone.get("/intranet/")["Location"].startswith("/accounts/login/")
    assert office.get("/intranet/").status_code == 200
    record.refresh_from_db()
    assert record.ended_at is not None
    assert (
        AuditLogEntry.objects.for_object(user).filter(message__startswith="session ended").exists()
    )


def test_another_users_session_cannot_be_ended(make_user, password):
    me, other = make_user(), make_user()
    mine, theirs = browser(), browser(ip="10.0.0.3")
    post_password(mine, me.username, password)
    post_password(theirs, other.username, password)
    record = UserSession.objects.get(user=other)

    response = mine.post(reverse("accounts:session_end", args=[record.pk]))

    assert response.status_code == 404
    assert theirs.get("/intranet/").status_code == 200


def test_sign_out_all_other_sessions_keeps_this_one(make_user, password):
    user = make_user()
    here, there = browser(), browser(ip="10.0.0.2")
    post_password(here, user.username, password)
    post_password(there, user.username, password)

    here.post(reverse("accounts:sessions_end_all"), {"scope": "others"})

    assert there.get("/intranet/").status_code == 302
    assert here.get("/intranet/").status_code == 200


def test_sign_out_everywhere_ends_all_sessions_and_revokes_tokens(make_user, password, app):
    user = make_user()
    here, there = browser(), browser(ip="10.0.0.2")
    post_password(here, user.username, password)
    post_password(there, user.username, password)
    issue_tokens(user, app)

    response = here.post(reverse("accounts:sessions_end_all"), {"scope": "everywhere"})

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user_id(here) is None
    assert there.get("/intranet/").status_code == 302
    assert not AccessToken.objects.filter(user=user).exists()
    assert RefreshToken.objects.get(user=user).revoked is not None


def test_revoke_the_tokens_of_one_application(make_user, password, app):
    user = make_user()
    c = browser()
    post_password(c, user.username, password)
    issue_tokens(user, app)

    c.post(reverse("accounts:tokens_revoke", args=[app.pk]))

    assert not AccessToken.objects.filter(user=user).exists()
    page = c.get(reverse("accounts:sessions")).content.decode()
    assert "No application holds a token of this account." in page


def test_administrator_manages_anyones_sessions(make_user, password, app):
    target = make_user()
    victim_browser = browser(ip="10.0.0.9", agent="TargetBrowser/9")
    post_password(victim_browser, target.username, password)
    issue_tokens(target, app)
    admin_client = browser()
    force_login_verified(admin_client, make_user(is_staff=True, is_superuser=True))

    page = admin_client.get(reverse("accounts:user_sessions", args=[target.pk]))
    assert "TargetBrowser/9" in page.content.decode()
    admin_client.post(reverse("accounts:user_sessions_end_all", args=[target.pk]))

    assert victim_browser.get("/intranet/").status_code == 302
    assert admin_client.get("/intranet/").status_code == 200, "the administrator stays in"


def test_sign_out_everywhere_admin_action(make_user, password):
    target = make_user()
    victim_browser = browser()
    post_password(victim_browser, target.username, password)
    admin_client = browser(ip="10.0.0.4")
    admin_user = make_user(is_staff=True, is_superuser=True)
    force_login_verified(admin_client, admin_user)

    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "sign_out_everywhere", "_selected_action": [target.pk]},
    )

    assert victim_browser.get("/intranet/").status_code == 302
    entry = AuditLogEntry.objects.for_object(target).get(
        message__startswith="signed out everywhere"
    )
    assert entry.actor_id == admin_user.pk


def test_non_administrator_cannot_see_someone_elses_sessions(make_user, password):
    other = make_user()
    c = browser()
    post_password(c, make_user().username, password)
    assert c.get(reverse("accounts:user_sessions", args=[other.pk])).status_code == 403
    assert c.post(reverse("accounts:user_sessions_end_all", args=[other.pk])).status_code == 403


def test_idle_session_is_signed_out(make_user, password, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    user = make_user()
    c = browser()
    with freeze_time("2026-03-02 09:00:00"):
        post_password(c, user.username, password)
    with freeze_time("2026-03-02 09:29:00"):
        assert c.get("/intranet/").status_code == 200
    with freeze_time("2026-03-02 09:58:00"):
        assert c.get("/intranet/").status_code == 200, "activity restarted the idle clock"
    with freeze_time("2026-03-02 10:29:00"):
        response = c.get("/intranet/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        login_page = c.get(response["Location"])
    assert "after 30 minutes without activity" in login_page.content.decode()
    assert signed_in_user_id(c) is None
    assert UserSession.objects.get(user=user).ended_at is not None
    assert AuditLogEntry.objects.for_object(user).filter(message="session expired (idle)").exists()


def test_absolute_lifetime_is_enforced_server_side(make_user, password, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_IDLE_TIMEOUT = 3600
    user = make_user()
    c = browser()
    with freeze_time("2026-03-02 08:00:00") as frozen:
        post_password(c, user.username, password)
        for _ in range(8):  # busy all day: never idle
            frozen.tick(timedelta(minutes=59))
            assert c.get("/intranet/").status_code == 200
        frozen.tick(timedelta(minutes=10))
        response = c.get("/intranet/")
    assert response.status_code == 302
    assert signed_in_user_id(c) is None


def test_last_seen_is_written_at_most_once_a_minute(make_user, password):
    user = make_user()
    c = browser()
    with freeze_time("2026-03-02 09:00:00") as frozen:
        post_password(c, user.username, password)
        record = UserSession.objects.get(user=user)
        frozen.tick(timedelta(seconds=30))
        c.get("/intranet/")
        record.refresh_from_db()
        assert record.last_seen_at == timezone.now() - timedelta(seconds=30)
        frozen.tick(timedelta(seconds=40))
        c.get("/intranet/")
        record.refresh_from_db()
        assert record.last_seen_at == timezone.now()
