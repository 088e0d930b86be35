"""Second factor: RFC 6238 vectors, enrolment, the verification step, policy, backup codes,
administrator reset, audit."""

from binascii import hexlify
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.mfa.selectors import mfa_required
from accounts.models import DirectoryGroup, Role, RoleAssignment, User
from core.models import AuditLogEntry

from .mfa_support import (
    code_for,
    english,
    enrol,
    login_with_totp,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
    post_password,
    signed_in_user_id,
)

RFC_KEY = b"12345678901234567890"
# RFC 6238 Appendix B, SHA1 column: (time, code).
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def client(client):
    return english(client)


def audit_messages(user) -> list[str]:
    return list(AuditLogEntry.objects.for_object(user).values_list("message", flat=True))


# --- RFC 6238 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("at", "expected"), RFC_VECTORS)
def test_rfc6238_appendix_b_sha1_vectors(at, expected):
    otp = TOTP(RFC_KEY, step=30, t0=0, digits=8)
    otp.time = at
    assert str(otp.token()).zfill(8) == expected


@pytest.mark.parametrize(("at", "expected"), RFC_VECTORS)
def test_totp_device_accepts_the_rfc6238_vector_at_its_time(make_user, at, expected):
    user = make_user()
    device = TOTPDevice.objects.create(
        user=user, key=hexlify(RFC_KEY).decode(), digits=8, step=30, t0=0, tolerance=0
    )
    with freeze_time(datetime.fromtimestamp(at, tz=UTC)):
        assert device.verify_token(expected)
        assert not device.verify_token(expected), "the same code is accepted only once"


# --- Policy --------------------------------------------------------------------------------


def test_policy_requires_2fa_for_staff_and_superusers(make_user):
    assert mfa_required(make_user(is_staff=True))
    assert mfa_required(make_user(is_superuser=True))
    assert not mfa_required(make_user())


def test_policy_requires_2fa_for_a_sensitive_role_held_directly_or_through_a_group(make_user):
    plain = make_user()
    holder = make_user()
    member = make_user()
    sensitive = Role.objects.create(code="payroll-admin", name_zh="薪資管理", is_sensitive=True)
    ordinary = Role.objects.create(code="reader", name_zh="閱覽")
    RoleAssignment.objects.create(user=plain, role=ordinary)
    RoleAssignment.objects.create(user=holder, role=sensitive)
    group = DirectoryGroup.objects.create(directory="mol", dn="cn=pay,dc=mol", name="pay")
    group.roles.add(sensitive)
    group.members.add(member)

    assert not mfa_required(plain)
    assert mfa_required(holder)
    assert mfa_required(member)


def test_expired_sensitive_role_no_longer_requires_2fa(make_user):
    user = make_user()
    role = Role.objects.create(code="auditor", name_zh="稽核", is_sensitive=True)
    RoleAssignment.objects.create(user=user, role=role, valid_until=date(2020, 1, 1))
    assert not mfa_required(user)


def test_mfa_required_for_all_setting(make_user, settings):
    settings.MFA_REQUIRED_FOR_ALL = True
    assert mfa_required(make_user())


# --- Login steps ---------------------------------------------------------------------------


def test_user_without_2fa_is_signed_in_by_the_password_alone(client, make_user, password):
    user = make_user()
    response = post_password(client, user.username, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:intranet_home")
    assert signed_in_user_id(client) == str(user.pk)


def test_enrolled_user_must_pass_the_code_step(client, make_user, password):
    user = make_user()
    device, _ = enrol(user)

    response = post_password(client, user.username, password, next_url="/accounts/launcher/")
    assert response["Location"] == reverse("accounts:login_verify")
    assert signed_in_user_id(client) is None, "not signed in before the second factor"
    assert client.get("/intranet/")["Location"].startswith("/accounts/login/")

    page = client.get(reverse("accounts:login_verify"))
    assert page.status_code == 200
    assert "authenticator app" in page.content.decode()

    response = client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/launcher/"
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/intranet/").status_code == 200
    assert "2fa verified with the authenticator app" in audit_messages(user)


def test_wrong_code_is_refused_with_a_message_and_audited(client, make_user, password):
    user = make_user()
    enrol(user)
    post_password(client, user.username, password)

    response = client.post(reverse("accounts:login_verify"), {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert signed_in_user_id(client) is None
    entry = AuditLogEntry.objects.for_object(user).get(message="2fa failed (totp)")
    assert entry.action == "login_failed"


def test_too_many_wrong_codes_restart_the_login(client, make_user, password, settings):
    settings.MFA_MAX_ATTEMPTS = 3
    user = make_user()
    device, _ = enrol(user)
    post_password(client, user.username, password)
    for _attempt in range(2):
        assert client.post(reverse("accounts:login_verify"), {"code": "111111"}).status_code == 400

    response = client.post(reverse("accounts:login_verify"), {"code": "111111"})

    assert response["Location"] == reverse("accounts:login")
    again = client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    assert again["Location"] == reverse("accounts:login"), "the pending login is gone"
    assert signed_in_user_id(client) is None


def test_pending_login_expires(client, make_user, password, settings):
    user = make_user()
    device, _ = enrol(user)
    with freeze_time("2026-03-02 09:00:00"):
        post_password(client, user.username, password)
    with freeze_time("2026-03-02 09:06:00"):
        response = client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user_id(client) is None


def test_staff_without_device_is_sent_to_enrolment_and_nowhere_else(client, make_user, password):
    user = make_user(is_staff=True)

    response = post_password(client, user.username, password)

    assert response["Location"] == reverse("accounts:login_enrol")
    assert signed_in_user_id(client) is None
    assert client.get("/intranet/")["Location"].startswith("/accounts/login/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    page = client.get(reverse("accounts:login_enrol"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()


def test_enrolment_during_login_completes_it_and_shows_ten_backup_codes_once(
    client, make_user, password
):
    user = make_user(is_staff=True)
    post_password(client, user.username, password, next_url="/admin/")
    client.get(reverse("accounts:login_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:login_enrol"), {"code": "123456"})
    assert wrong.status_code == 400
    response = client.post(reverse("accounts:login_enrol"), {"code": code_for(device)})

    assert response["Location"] == reverse("accounts:backup_codes")
    assert signed_in_user_id(client) == str(user.pk)
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(reverse("accounts:backup_codes"))
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    body = page.content.decode()
    assert all(code in body for code in codes)
    assert 'href="/admin/"' in body, "continue goes where the login was going"
    assert "no-store" in page["Cache-Control"]
    again = client.get(reverse("accounts:backup_codes")).content.decode()
    assert not any(code in again for code in codes), "shown once"
    assert client.get("/admin/").status_code == 200
    assert "2fa enrolled: authenticator app and backup codes" in audit_messages(user)


def test_holder_of_sensitive_role_is_required_to_enrol(client, make_user, password):
    user = make_user()
    role = Role.objects.create(code="hr-admin", name_zh="人事管理", is_sensitive=True)
    RoleAssignment.objects.create(user=user, role=role)

    response = post_password(client, user.username, password)

    assert response["Location"] == reverse("accounts:login_enrol")
    assert signed_in_user_id(client) is None


def test_role_becoming_sensitive_mid_session_sends_the_session_back_to_2fa(
    client, make_user, password
):
    user = make_user()
    with freeze_time("2026-03-02 09:00:00"):
        post_password(client, user.username, password)
        assert client.get("/intranet/").status_code == 200
        role = Role.objects.create(code="sec", name_zh="資安", is_sensitive=True)
        RoleAssignment.objects.create(user=user, role=role)
    with freeze_time("2026-03-02 09:02:00"):
        response = client.get("/intranet/")
    assert response["Location"] == reverse("accounts:login_enrol")
    assert signed_in_user_id(client) is None


def test_backup_code_works_once(client, make_user, password):
    user = make_user()
    _, codes = enrol(user)
    code = codes[0]

    post_password(client, user.username, password)
    response = client.post(reverse("accounts:login_verify"), {"code": code.upper()})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert "2fa verified with a backup code; 9 left" in audit_messages(user)

    client.post(reverse("accounts:logout"))
    post_password(client, user.username, password)
    response = client.post(reverse("accounts:login_verify"), {"code": code})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert "2fa failed (backup)" in audit_messages(user)


def test_backup_codes_can_be_regenerated_and_the_old_ones_stop_working(client, make_user, password):
    user = make_user()
    device, old_codes = enrol(user)
    login_with_totp(client, user, password, device)

    response = client.post(reverse("accounts:backup_codes"))
    assert response["Location"] == reverse("accounts:backup_codes")
    new_codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new_codes) == 10
    assert not new_codes & set(old_codes)
    assert "2fa backup codes regenerated" in audit_messages(user)


def test_optional_enrolment_while_signed_in(client, make_user, password):
    user = make_user()
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("accounts:two_factor_enrol")).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1, "reloading keeps the same key"

    response = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})

    assert response["Location"] == reverse("accounts:backup_codes")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/intranet/").status_code == 200, "this session counts as verified"


def test_optional_user_can_turn_2fa_off_with_a_code_but_staff_cannot(client, make_user, password):
    user = make_user()
    device, _ = enrol(user)
    login_with_totp(client, user, password, device)
    with _later(31):
        response = client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device)})
    assert response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=user).exists()

    staff = make_user(is_staff=True)
    staff_device, _ = enrol(staff)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_device.persistent_id
    session.save()
    client.post(reverse("accounts:two_factor_disable"), {"code": code_for(staff_device)})
    assert TOTPDevice.objects.filter(user=staff).exists()


def _later(seconds):
    """Freeze time ``seconds`` ahead (a TOTP code is accepted once per time step)."""
    return freeze_time(timezone.now() + timedelta(seconds=seconds))


def test_admin_resets_2fa_with_an_action_and_it_is_audited(client, make_user, password):
    admin_user = make_user(is_staff=True, is_superuser=True)
    target = make_user()
    enrol(target)
    client.force_login(admin_user)
    admin_device, _ = enrol(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = admin_device.persistent_id
    session.save()

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [target.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticToken.objects.filter(device__user=target).exists()
    entry = AuditLogEntry.objects.for_object(target).get(message__startswith="2fa reset")
    assert entry.actor_id == admin_user.pk


def test_user_admin_offers_the_mfa_actions():
    model_admin = admin.site._registry[User]
    names = {name for _func, name, _desc in model_admin._get_base_actions()}
    assert {"unlock_login", "reset_two_factor", "sign_out_everywhere"} <= names


def test_admin_login_goes_through_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_signed_in_non_staff_gets_403_not_a_login_loop(client, make_user):
    client.force_login(make_user())
    assert client.get("/admin/login/?next=/admin/").status_code == 403
