"""Client-certificate login (自然人憑證 style): certificates made in the test by cryptography,
passed as the reverse proxy passes them (URL-encoded PEM in a header)."""

import pytest
from django.urls import reverse

from accounts.mfa.certificates import certificate_to_pem, parse_certificate
from accounts.models import ClientCertificate
from core.models import AuditLogEntry

from .mfa_support import (
    code_for,
    english,
    enrol,
    escaped_pem,
    make_ca,
    make_client_cert,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
    signed_in_user_id,
)

HEADER = "X-SSL-Client-Cert"
META = "HTTP_X_SSL_CLIENT_CERT"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def cert_settings(settings):
    settings.CLIENT_CERT_HEADER = HEADER
    settings.CLIENT_CERT_TRUSTED_PROXIES = ["10.0.0.0/29"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def client(client):
    return english(client)


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture
def card(ca):
    return make_client_cert(ca)


def via_proxy(cert, remote=PROXY):
    return {META: escaped_pem(cert), "REMOTE_ADDR": remote}


def register(user, cert):
    parsed = parse_certificate(escaped_pem(cert))
    return ClientCertificate.objects.create(
        user=user,
        serial_number=parsed.serial_number,
        issuer=parsed.issuer,
        subject=parsed.subject,
        fingerprint_sha256=parsed.fingerprint_sha256,
        not_after=parsed.not_after,
    )


def test_header_formats_are_read_alike(card):
    pem = certificate_to_pem(card)
    escaped = parse_certificate(escaped_pem(card))
    plain = parse_certificate(pem)
    spaced = parse_certificate(pem.replace("\n", " "))
    assert escaped == plain == spaced
    assert escaped.serial_number == format(card.serial_number, "X")
    assert "王小明" in escaped.subject
    assert parse_certificate("(null)") is None
    assert parse_certificate("not a certificate") is None


def test_registered_certificate_signs_the_user_in(client, make_user, card):
    user = make_user()
    register(user, card)

    page = client.get(reverse("accounts:login_certificate"), **via_proxy(card))
    assert "王小明" in page.content.decode()
    response = client.post(
        reverse("accounts:login_certificate"), {"next": "/accounts/launcher/"}, **via_proxy(card)
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/launcher/"
    assert signed_in_user_id(client) == str(user.pk)
    assert user.browser_sessions.get().method == "certificate"
    assert ClientCertificate.objects.get(user=user).last_used_at is not None


def test_certificate_login_still_asks_for_the_second_factor(client, make_user, card):
    user = make_user(is_staff=True)
    register(user, card)
    device, _ = enrol(user)

    response = client.post(reverse("accounts:login_certificate"), **via_proxy(card))

    assert response["Location"] == reverse("accounts:login_verify")
    assert signed_in_user_id(client) is None
    client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    assert signed_in_user_id(client) == str(user.pk)


def test_unknown_certificate_is_refused_and_audited(client, make_user, ca, card):
    register(make_user(), card)
    stranger = make_client_cert(ca, common_name="陌生人")

    response = client.post(reverse("accounts:login_certificate"), **via_proxy(stranger))

    assert response.status_code == 403
    assert "not registered to an active account" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert AuditLogEntry.objects.filter(action="login_failed", ip_address=PROXY).exists()


def test_certificate_of_an_inactive_user_is_refused(client, make_user, card):
    register(make_user(is_active=False), card)
    response = client.post(reverse("accounts:login_certificate"), **via_proxy(card))
    assert response.status_code == 403
    assert signed_in_user_id(client) is None


def test_header_from_an_untrusted_address_is_ignored(client, make_user, card):
    register(make_user(), card)

    page = client.get(reverse("accounts:login_certificate"), **via_proxy(card, "192.0.2.7"))
    assert "No certificate was presented" in page.content.decode()
    response = client.post(reverse("accounts:login_certificate"), **via_proxy(card, "192.0.2.7"))

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_certificate_login_is_off_without_a_header_setting(client, settings, card):
    settings.CLIENT_CERT_HEADER = ""
    assert client.get(reverse("accounts:login_certificate")).status_code == 404
    assert "certificate" not in client.get(reverse("accounts:login")).content.decode().lower()


def test_login_page_links_to_certificate_login(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:login_certificate") in body


def test_signed_in_user_registers_the_presented_certificate(client, make_user, card):
    user = make_user()
    client.force_login(user)

    page = client.get(reverse("accounts:certificates"), **via_proxy(card))
    assert "Register this certificate" in page.content.decode()
    response = client.post(
        reverse("accounts:certificates"), {"action": "register"}, **via_proxy(card)
    )

    assert response.status_code == 302
    record = ClientCertificate.objects.get(user=user)
    assert record.serial_number == format(card.serial_number, "X")
    assert (
        AuditLogEntry.objects.for_object(user)
        .filter(message__startswith="client certificate registered")
        .exists()
    )
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login_certificate"), **via_proxy(card))
    assert signed_in_user_id(client) == str(user.pk)


def test_certificate_of_another_account_cannot_be_registered(client, make_user, card):
    register(make_user(), card)
    thief = make_user()
    client.force_login(thief)

    response = client.post(
        reverse("accounts:certificates"), {"action": "register"}, **via_proxy(card), follow=True
    )

    assert "already registered to another account" in response.content.decode()
    assert not ClientCertificate.objects.filter(user=thief).exists()


def test_expired_certificate_is_neither_registered_nor_accepted(client, make_user, ca):
    old = make_client_cert(ca, days=-1)
    user = make_user()
    register(user, old)
    response = client.post(reverse("accounts:login_certificate"), **via_proxy(old))
    assert response.status_code == 403

    client.force_login(make_user())
    client.post(reverse("accounts:certificates"), {"action": "register"}, **via_proxy(old))
    assert ClientCertificate.objects.count() == 1


def test_user_removes_a_certificate_but_not_someone_elses(client, make_user, card, ca):
    user = make_user()
    mine = register(user, card)
    theirs = register(make_user(), make_client_cert(ca, common_name="別人"))
    client.force_login(user)

    gone = client.post(
        reverse("accounts:certificates"), {"action": "remove", "certificate": mine.pk}
    )
    refused = client.post(
        reverse("accounts:certificates"), {"action": "remove", "certificate": theirs.pk}
    )

    assert gone.status_code == 302
    assert refused.status_code == 404
    assert list(ClientCertificate.objects.all()) == [theirs]


def test_unknown_certificates_count_towards_the_ip_lockout(client, make_user, ca, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(2):
        client.post(
            reverse("accounts:login_certificate"),
            **via_proxy(make_client_cert(ca, common_name=f"猜{n}")),
        )
    user = make_user()
    card = make_client_cert(ca)
    register(user, card)

    response = client.post(reverse("accounts:login_certificate"), **via_proxy(card))

    assert response.status_code == 429
    assert signed_in_user_id(client) is None
