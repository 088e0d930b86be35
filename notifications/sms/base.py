"""The SMS gateway interface and Taiwan mobile numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")
_LOCAL = re.compile(r"^09\d{8}$")


def normalise_mobile(value: str) -> str:
    """A Taiwan mobile number in the national form ``09xxxxxxxx``.

    Accepts full-width digits (NFKC), spaces, hyphens, dots and brackets, and the
    international forms ``+8869xxxxxxxx``, ``8869xxxxxxxx``, ``008869xxxxxxxx`` and
    ``+886 09xxxxxxxx``. Anything else raises ``ValidationError`` (code ``invalid_mobile``).
    """
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()
    digits = _SEPARATORS.sub("", raw)
    for prefix in ("+886", "00886", "886"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            if not digits.startswith("0"):
                digits = "0" + digits
            break
    if not _LOCAL.match(digits):
        raise ValidationError(
            _("“%(value)s” is not a Taiwan mobile number (09xxxxxxxx or +8869xxxxxxxx)."),
            code="invalid_mobile",
            params={"value": raw[:30]},
        )
    return digits


def to_e164(value: str) -> str:
    """``+8869xxxxxxxx`` for any form ``normalise_mobile`` accepts."""
    return "+886" + normalise_mobile(value)[1:]


@dataclass(frozen=True)
class SmsResult:
    provider_id: str
    status: str = ""
    duplicate: bool = False


class SmsError(Exception):
    """Base of the gateway errors."""


class SmsRejected(SmsError):
    """The gateway refused this message for good (bad number, bad content, no credit)."""


class SmsUnavailable(SmsError):
    """The gateway could not take the message now (down, timeout, busy): try again later."""


class SmsGateway:
    """A backend. ``send`` hands one message over; ``client_id`` is the outbox row's fixed
    id, so a gateway that de-duplicates (Mitake, 12 hours) accepts a resend once."""

    name = "base"

    def send(self, *, to: str, text: str, client_id: str) -> SmsResult:  # pragma: no cover
        raise NotImplementedError
