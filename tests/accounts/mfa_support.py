"""Helpers of the MFA part's tests (login steps, TOTP codes, certificates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts.mfa.certificates import certificate_to_pem
from accounts.mfa.selectors import totp_device_for
from accounts.mfa.services import backup_codes_generate, totp_device_start
from tests.language_support import english as use_english


def english(client):
    """Answers in English, whatever the catalogues hold (assertions read English text): the
    language cookie, as the language switch sets it (pages ignore Accept-Language)."""
    return use_english(client)


def code_for(device, offset_steps: int = 0) -> str:
    """The code the authenticator app shows now for ``device`` (zero-padded)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + offset_steps,
    )
    return str(value).zfill(device.digits)


def enrol(user):
    """A confirmed authenticator and backup codes for ``user``; returns (device, codes)."""
    device = totp_device_start(user=user)
    device.confirmed = True
    device.save()
    codes = backup_codes_generate(user=user, audit=False)
    return device, codes


def post_password(client, username: str, password: str, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def login_with_totp(client, user, password: str, device):
    """Password, then the code: returns the response of the verification step."""
    response = post_password(client, user.username, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_verify")
    return client.post(reverse("accounts:login_verify"), {"code": code_for(device)})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- Certificates ---------------------------------------------------------------------------


def make_ca():
    """A throwaway CA: (private key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test MOICA"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Citizen CA"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_client_cert(ca, common_name: str = "王小明", serial: int | None = None, days: int = 365):
    """A client certificate signed by ``ca`` (as a card's certificate would be)."""
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, "0000000112831644"),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(ca_key, hashes.SHA256())
    )


def escaped_pem(cert) -> str:
    """The certificate as nginx's $ssl_client_escaped_cert sends it (URL-encoded PEM)."""
    return quote(certificate_to_pem(cert), safe="")


def force_login_verified(client, user):
    """Sign ``user`` in with a confirmed authenticator marked as used in this session (what a
    full login with the second factor leaves behind)."""
    device = totp_device_for(user) or enrol(user)[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def mfa_policy(settings):
    """The policy as shipped, whatever a shared fixture may relax for other apps' tests:
    administrators need a second factor, others may choose."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.MFA_REQUIRED_FOR_ALL = False
