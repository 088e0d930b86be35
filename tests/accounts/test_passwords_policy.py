"""Local passwords: lockout per user and per IP with a clear page and an admin unlock, history,
expiry, the change page."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.lockout import account_delay
from accounts.models import PasswordHistory, User, UserSession
from core.models import AuditLogEntry

from .mfa_support import (
    english,
    force_login_verified,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
    post_password,
    signed_in_user_id,
)

NEW_PASSWORD = "Labour-ministry-2026!"
NEWER_PASSWORD = "Another-long-phrase-77"


@pytest.fixture
def client(client):
    return english(client)


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def fail(client, username, ip="10.1.1.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


# --- Lockout -------------------------------------------------------------------------------


@freeze_time("2026-03-02 09:00:00")
def test_user_is_locked_after_n_failures_with_a_clear_message(client, make_user, password, limit):
    user = make_user()
    for _ in range(limit - 1):
        assert fail(client, user.username).status_code == 200
    response = fail(client, user.username)

    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in temporarily locked" in body
    assert "Try again in 15 minutes, after 17:15." in body  # 09:00 UTC is 17:00 in Taipei
    assert 'lang="zh-Hant"' in body, "the message is also given in the other language"
    # The right password from the same address does not help: the pair is locked.
    locked = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.1.1.1",
    )
    assert locked.status_code == 429
    assert signed_in_user_id(client) is None


def test_a_locked_pair_does_not_lock_the_owner_out_elsewhere(client, make_user, password, limit):
    """Someone guessing from 10.1.1.1 cannot keep the owner out from her own desk."""
    user = make_user()
    for _ in range(limit + 2):
        fail(client, user.username, ip="10.1.1.1")
    owner = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.8.8.8",
    )
    assert owner.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_failures_from_a_shared_address_do_not_lock_its_other_users(
    client, make_user, password, limit
):
    """Everyone behind a ministry NAT shares one address: one person's (or a bot's) wrong
    passwords for other accounts lock nobody else."""
    victim = make_user()
    for n in range(limit * 4):
        fail(client, f"guess{n}", ip="10.9.9.9")
    for _ in range(limit + 1):
        fail(client, "someone.else", ip="10.9.9.9")

    colleague = client.post(
        reverse("accounts:login"),
        {"username": victim.username, "password": password},
        REMOTE_ADDR="10.9.9.9",
    )
    assert colleague.status_code == 302
    assert signed_in_user_id(client) == str(victim.pk)


def test_guessing_one_account_from_many_addresses_meets_a_growing_delay(
    client, make_user, password, limit, settings
):
    settings.LOGIN_ACCOUNT_DELAY_AFTER = 6
    settings.LOGIN_ACCOUNT_DELAY_SECONDS = 10
    settings.LOGIN_ACCOUNT_DELAY_MAX_SECONDS = 60
    user = make_user()

    def right(ip):
        return client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": password},
            REMOTE_ADDR=ip,
        )

    with freeze_time("2026-03-02 09:00:00") as clock:
        for n in range(5):
            assert fail(client, user.username, ip=f"10.20.0.{n}").status_code == 200
        sixth = fail(client, user.username, ip="10.20.0.99")  # the 6th: the delay starts
        assert sixth.status_code == 429
        assert "Try again in 1 minute," in sixth.content.decode()
        clock.tick(5)
        assert right("10.30.0.1").status_code == 429, "within 10 s: refused from anywhere"
        for n in range(20):  # hammering while delayed is not counted...
            fail(client, user.username, ip=f"10.40.0.{n}")
        clock.tick(6)  # ...so the wait still ends 10 s after the last checked failure
        assert fail(client, user.username, ip="10.20.1.1").status_code == 429  # 7th: 20 s
        clock.tick(15)
        assert right("10.30.0.2").status_code == 429
        clock.tick(6)
        assert right("10.30.0.3").status_code == 302, "a delay, not a lock"
        assert signed_in_user_id(client) == str(user.pk)
    assert not AccessAttempt.objects.filter(username=user.username).exists(), "reset"


def test_the_account_delay_doubles_and_is_capped(settings):
    settings.LOGIN_ACCOUNT_DELAY_AFTER = 10
    settings.LOGIN_ACCOUNT_DELAY_SECONDS = 2
    settings.LOGIN_ACCOUNT_DELAY_MAX_SECONDS = 300
    assert account_delay(9) is None
    assert [account_delay(n).total_seconds() for n in (10, 11, 12)] == [2, 4, 8]
    assert account_delay(10_000).total_seconds() == 300


def test_every_failure_and_the_lockout_are_audited(client, make_user, limit):
    user = make_user()
    for _ in range(limit):
        fail(client, user.username)

    failures = AuditLogEntry.objects.filter(action="login_failed", actor_repr=user.username)
    assert failures.filter(message=f"username={user.username}").count() == limit
    assert failures.filter(message__startswith=f"locked out username={user.username}").exists()


def test_lock_expires_after_the_cool_off(client, make_user, password, limit):
    user = make_user()
    with freeze_time("2026-03-02 09:00:00"):
        for _ in range(limit):
            fail(client, user.username)
    with freeze_time("2026-03-02 09:16:00"):
        response = post_password(client, user.username, password)
    assert response.status_code == 302


def test_admin_unlocks_a_user_with_the_user_admin_action(client, make_user, password, limit):
    user = make_user()
    for _ in range(limit):
        fail(client, user.username, ip="10.3.3.3")
    locked = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.3.3.3",
    )
    assert locked.status_code == 429

    admin_client = english(Client())
    admin_user = make_user(is_staff=True, is_superuser=True)
    force_login_verified(admin_client, admin_user)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "Sign-in unlocked for 1 user." in response.content.decode()

    assert not AccessAttempt.objects.filter(username=user.username).exists()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.3.3.3",  # the locked pair itself
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.for_object(user).get(message__startswith="login lockout cleared")
    assert entry.actor_id == admin_user.pk


def test_admin_unlocks_an_account_and_address_in_the_axes_admin(client, make_user, password, limit):
    user = make_user()
    for _ in range(limit):
        fail(client, user.username, ip="10.5.5.5")
    locked = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.5.5.5",
    )
    assert locked.status_code == 429
    admin_client = Client()
    force_login_verified(admin_client, make_user(is_staff=True, is_superuser=True))
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    ids = list(AccessAttempt.objects.filter(ip_address="10.5.5.5").values_list("pk", flat=True))
    assert ids

    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.5.5.5",
    )
    assert response.status_code == 302


# --- History -------------------------------------------------------------------------------


def change(client, old, new):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_password_change_records_history_date_and_audit(client, make_user, password):
    user = make_user()
    client.force_login(user)
    before = timezone.now()

    response = change(client, password, NEW_PASSWORD)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed_at >= before
    assert check_password(NEW_PASSWORD, PasswordHistory.objects.filter(user=user).first().password)
    assert AuditLogEntry.objects.for_object(user).filter(message="password changed").exists()
    assert signed_in_user_id(client) == str(user.pk), "this session stays signed in"


def test_recent_password_cannot_be_reused(client, make_user, password, settings):
    settings.PASSWORD_HISTORY_COUNT = 3
    user = make_user()
    client.force_login(user)
    assert change(client, password, NEW_PASSWORD).status_code == 302

    response = change(client, NEW_PASSWORD, password)

    assert response.status_code == 200
    assert "You used this password recently" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_current_password_cannot_be_set_again(client, make_user, password):
    user = make_user()
    client.force_login(user)
    response = change(client, password, password)
    assert "You used this password recently" in response.content.decode()


def test_history_keeps_only_the_last_n(make_user, settings):
    settings.PASSWORD_HISTORY_COUNT = 2
    user = make_user()
    for value in (NEW_PASSWORD, NEWER_PASSWORD, "Third-long-password-3"):
        user.set_password(value)
        user.save()
    hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(hashes) == 2
    # The oldest dropped out of the window: it may be used again.
    validate_password(NEW_PASSWORD, user)


def test_short_password_is_refused_with_the_length_rule(client, make_user, password):
    client.force_login(make_user())
    response = change(client, password, "Short-1")
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_changing_the_password_signs_out_other_sessions(client, make_user, password):
    user = make_user()
    other = english(Client())
    post_password(other, user.username, password)
    post_password(client, user.username, password)
    assert other.get("/intranet/").status_code == 200

    change(client, password, NEW_PASSWORD)

    assert other.get("/intranet/").status_code == 302
    assert client.get("/intranet/").status_code == 200
    current = UserSession.objects.get(session_key=client.session.session_key)
    assert current.ended_at is None, "the session record follows the new session key"


# --- Expiry --------------------------------------------------------------------------------


def test_expired_password_forces_the_change_page_after_login(client, make_user, password):
    user = make_user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))

    response = post_password(client, user.username, password, next_url="/accounts/launcher/")

    assert response["Location"] == reverse("accounts:password_change")
    assert client.get("/intranet/")["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "Your password has expired" in page.content.decode()

    response = change(client, password, NEW_PASSWORD)

    assert response["Location"] == "/accounts/launcher/"
    assert client.get("/intranet/").status_code == 200


def test_password_not_yet_expired_is_not_forced(client, make_user, password):
    user = make_user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    response = post_password(client, user.username, password)
    assert response["Location"] == reverse("core:intranet_home")


def test_expiry_can_be_switched_off(client, make_user, password, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    user = make_user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=900))
    assert post_password(client, user.username, password)["Location"] == "/intranet/"
