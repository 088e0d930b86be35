"""Client-certificate login (自然人憑證 style).

The reverse proxy verifies the client certificate against the trusted CAs and passes it to
Django in the header named by ``CLIENT_CERT_HEADER``: PEM, URL-encoded as nginx's
``$ssl_client_escaped_cert`` (plain PEM, PEM with spaces for newlines, and bare base64 DER
are accepted too). The header is believed only when the request comes straight from one of
``CLIENT_CERT_TRUSTED_PROXIES`` (addresses or networks); from anywhere else it is ignored,
since a client could send it itself. A certificate signs a user in when that user registered
it (``ClientCertificate``): matched by its SHA-256 fingerprint, or by issuer and serial number.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction
from core.services import audit_record

from ..models import ClientCertificate, User

logger = logging.getLogger(__name__)

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(?P<body>.+?)-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class PresentedCertificate:
    """The parts of a client certificate this part uses."""

    subject: str
    issuer: str
    serial_number: str  # upper-case hexadecimal, no leading zeros
    fingerprint_sha256: str  # lower-case hexadecimal
    not_before: datetime
    not_after: datetime

    def is_current(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.not_before <= now <= self.not_after


def _der_from_header(value: str) -> bytes | None:
    text = unquote(value.strip()) if "%" in value else value.strip()
    match = _PEM.search(text)
    body = match.group("body") if match else text
    body = re.sub(r"\s+", "", body)
    if not body:
        return None
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_certificate(value: str) -> PresentedCertificate | None:
    """Read the proxy's header value; None when it is empty or not a certificate."""
    if not value or value.strip() in {"", "(null)", "-"}:
        return None
    der = _der_from_header(value)
    if der is None:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    return PresentedCertificate(
        subject=cert.subject.rfc4514_string()[:500],
        issuer=cert.issuer.rfc4514_string()[:500],
        serial_number=format(cert.serial_number, "X"),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def certificate_to_pem(cert: x509.Certificate) -> str:
    """PEM of a ``cryptography`` certificate (handy for tests and tools)."""
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _header_meta_key() -> str:
    header = settings.CLIENT_CERT_HEADER
    return "HTTP_" + header.upper().replace("-", "_") if header else ""


def proxy_is_trusted(request) -> bool:
    """Whether the direct peer (REMOTE_ADDR) is one of CLIENT_CERT_TRUSTED_PROXIES.

    Deliberately not ``core.http.client_ip``: the question is who handed us the certificate
    header (the TLS-terminating proxy itself), not who the client is; a forwarded address
    must never make a request look as if it came from the proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    for entry in settings.CLIENT_CERT_TRUSTED_PROXIES:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("CLIENT_CERT_TRUSTED_PROXIES: %r is not an address or network", entry)
    return False


def presented_certificate(request) -> PresentedCertificate | None:
    """The client certificate the trusted proxy passed with this request, if any."""
    key = _header_meta_key()
    if not key:
        return None
    value = request.META.get(key, "")
    if not value:
        return None
    if not proxy_is_trusted(request):
        logger.warning(
            "Ignored a client certificate header from %s, not a trusted proxy",
            request.META.get("REMOTE_ADDR"),
        )
        return None
    return parse_certificate(value)


def certificate_login_enabled() -> bool:
    return bool(settings.CLIENT_CERT_HEADER)


# --- Reads and writes -----------------------------------------------------------------------


def certificate_owner(cert: PresentedCertificate) -> ClientCertificate | None:
    """The active registration of ``cert`` (by fingerprint, or issuer + serial)."""
    return (
        ClientCertificate.objects.select_related("user")
        .filter(
            Q(fingerprint_sha256=cert.fingerprint_sha256)
            | Q(issuer=cert.issuer, serial_number=cert.serial_number),
            is_active=True,
        )
        .first()
    )


def user_certificates(user: User):
    return ClientCertificate.objects.filter(user=user).order_by("-registered_at")


def client_certificate_register(*, user: User, cert: PresentedCertificate) -> ClientCertificate:
    """Register the certificate ``user`` presents now, for later certificate logins."""
    if not cert.is_current():
        raise ValidationError({"certificate": _("This certificate is expired or not yet valid.")})
    existing = (
        certificate_owner(cert)
        or ClientCertificate.objects.filter(fingerprint_sha256=cert.fingerprint_sha256).first()
    )
    if existing is not None and existing.user_id != user.pk:
        raise ValidationError(
            {"certificate": _("This certificate is already registered to another account.")}
        )
    try:
        with transaction.atomic():
            record = existing or ClientCertificate(user=user)
            record.serial_number = cert.serial_number
            record.issuer = cert.issuer
            record.subject = cert.subject
            record.fingerprint_sha256 = cert.fingerprint_sha256
            record.not_after = cert.not_after
            record.is_active = True
            record.full_clean()
            record.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"certificate": _("This certificate is already registered to another account.")}
        ) from exc
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=user,
        message=f"client certificate registered serial={cert.serial_number}",
    )
    return record


@transaction.atomic
def client_certificate_remove(*, user: User, certificate_id: int) -> bool:
    """Remove one of the user's certificates. False when it is not theirs."""
    record = ClientCertificate.objects.filter(user=user, pk=certificate_id).first()
    if record is None:
        return False
    serial = record.serial_number
    record.delete()
    audit_record(
        action=AuditAction.OTHER,
        obj=user,
        actor=user,
        message=f"client certificate removed serial={serial}",
    )
    return True


class ClientCertificateBackend(ModelBackend):
    """``authenticate(request, client_certificate=PresentedCertificate)``. Other credentials
    (user name and password) do not bind to this signature, so Django skips it for them."""

    def authenticate(self, request, client_certificate: PresentedCertificate | None = None):
        if client_certificate is None or not client_certificate.is_current():
            return None
        record = certificate_owner(client_certificate)
        if record is None or not self.user_can_authenticate(record.user):
            return None
        ClientCertificate.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        return record.user
