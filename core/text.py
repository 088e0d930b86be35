"""The one normaliser of text people type into forms (names, subjects, e-mail addresses,
phone numbers).

* ``clean_line(value)``: one line of text (a name, a subject, a sender): bidirectional
  control characters (embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, the
  marks U+200E, U+200F and U+061C) and other control characters are removed, runs of white
  space become one space, the ends are trimmed. A name or subject can then never display
  reversed (``‮gnp.exe``) on a staff page or in a mail.
* ``normalise_email(value)``: NFKC (full-width ``ｃｈｅｎ＠ｅｘａｍｐｌｅ．ｃｏｍ`` becomes
  ``chen@example.com``), controls removed, trimmed, the domain in lower case.
* ``normalise_phone(value)``: NFKC (full-width digits and ``＋``), controls removed, white
  space collapsed; ``phone_validate(value)`` accepts digits with ``+`` at the start, spaces,
  hyphens and parentheses (6 to 15 digits) and an optional extension (``#123``, ``ext. 123``,
  ``分機123``); anything else is a ``ValidationError`` (``=1+1<b>`` is refused).

The form fields ``LineField``, ``NormalisedEmailField`` and ``PhoneField`` apply them before
Django's own validation; services that take the same values from elsewhere (e-mail intake)
call the functions.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Bidirectional embeddings, overrides, isolates and marks.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)

_PHONE = re.compile(
    r"^\+?[0-9(][0-9 ()\-]*[0-9](?:\s*(?:#|ext\.?|x|分機)\s*[0-9]{1,6})?$", re.IGNORECASE
)
_EXTENSION = re.compile(r"(?:#|ext\.?|x|分機)\s*[0-9]{1,6}$", re.IGNORECASE)
PHONE_MIN_DIGITS = 6
PHONE_MAX_DIGITS = 15  # E.164


def _drop_controls(value: str) -> str:
    """Without bidirectional controls and other control/format characters (tabs and line
    breaks become spaces)."""
    out = []
    for ch in value:
        if ch in BIDI_CONTROLS:
            continue
        if ch in "\t\r\n\v\f":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category == "Cc" or (category == "Cf" and ch not in "\u200c\u200d"):
            continue  # C0/C1 controls and format characters (ZWNJ and ZWJ kept)
        out.append(ch)
    return "".join(out)


def strip_bidi_controls(value: str) -> str:
    """``value`` without the characters of ``BIDI_CONTROLS`` (line breaks kept)."""
    return "".join(ch for ch in (value or "") if ch not in BIDI_CONTROLS)


def clean_line(value) -> str:
    """One line of typed text: controls (bidirectional ones included) removed, white space
    collapsed, trimmed."""
    return " ".join(_drop_controls(str(value or "")).split())


def normalise_email(value) -> str:
    """NFKC, controls removed, trimmed, the domain in lower case."""
    text = "".join(_drop_controls(unicodedata.normalize("NFKC", str(value or ""))).split())
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def normalise_phone(value) -> str:
    """NFKC, controls removed, white space collapsed, trimmed (not yet validated)."""
    return " ".join(_drop_controls(unicodedata.normalize("NFKC", str(value or ""))).split())


def phone_validate(value: str) -> None:
    """``ValidationError`` (code ``phone``) unless ``value`` (normalised) is a phone number."""
    main = _EXTENSION.sub("", value).strip()
    digits = sum(ch.isdigit() for ch in main)
    if (
        not _PHONE.match(value)
        or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS
        or value.count("+") > 1
    ):
        raise ValidationError(
            _(
                "Enter a phone number with digits only, e.g. 02-8590-2567, 0912-345-678 or "
                "+886 2 8590 2567 (an extension as #123)."
            ),
            code="phone",
        )


class LineField(forms.CharField):
    """A one-line text field cleaned by ``clean_line`` before its length is checked."""

    def to_python(self, value):
        return clean_line(super().to_python(value))


class NormalisedEmailField(forms.EmailField):
    """An e-mail field that accepts full-width input (``normalise_email`` first)."""

    def to_python(self, value):
        return normalise_email(super().to_python(value))


class PhoneField(forms.CharField):
    """A phone number: ``normalise_phone``, then ``phone_validate`` (empty allowed when the
    field is not required)."""

    def to_python(self, value):
        return normalise_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            phone_validate(value)
