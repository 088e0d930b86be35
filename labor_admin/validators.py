"""Checks of what people and systems send: the employer's business ID (統一編號) and the
type-specific fields against the case type's schema.

Business ID: eight digits; weights 1,2,1,2,1,2,4,1; the digits of each product are added
(28 counts as 2 + 8 = 10); valid when that sum is divisible by 5 (the rule since April 2023,
which also accepts every number valid under the old rule of 10), and, when the seventh digit
is 7, also when the sum plus one is.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.dates import parse_roc_date
from core.models import County
from core.text import clean_line

from .choices import FieldKind

WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")


def business_id_is_valid(value: str) -> bool:
    if not isinstance(value, str) or not _EIGHT_DIGITS.fullmatch(value):
        return False
    total = 0
    for digit, weight in zip(value, WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    if total % 5 == 0 or total % 10 == 0:
        return True
    return value[6] == "7" and (total + 1) % 5 == 0


def business_id_validate(value: str) -> None:
    if not business_id_is_valid(value):
        raise ValidationError(
            _(
                "%(value)s is not a valid business ID (統一編號): eight digits with a valid "
                "check sum."
            )
            % {"value": value},
            code="business_id",
        )


def _as_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str) and value.strip():
        return Decimal(value.strip().replace(",", ""))
    raise InvalidOperation


def _as_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return parse_roc_date(text)


def _clean_one(field, value, industries: set[str]):
    """The cleaned JSON value of ``value`` for ``field``; ValueError with the message."""
    label = field.label
    kind = field.kind
    if kind == FieldKind.TEXT:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValueError(_("“%(field)s” must be text.") % {"field": label})
        text = clean_line(value)
        if len(text) > field.max_length:
            raise ValueError(
                _("“%(field)s” may have at most %(max)s characters.")
                % {"field": label, "max": field.max_length}
            )
        return text
    if kind in (FieldKind.NUMBER, FieldKind.MONEY):
        try:
            number = _as_decimal(value)
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(field)s” must be a number.") % {"field": label}) from None
        if not number.is_finite():
            raise ValueError(_("“%(field)s” must be a number.") % {"field": label})
        if kind == FieldKind.MONEY and (number < 0 or number != number.quantize(Decimal(1))):
            raise ValueError(
                _("“%(field)s” must be an amount in whole NT dollars, not negative.")
                % {"field": label}
            )
        if field.min_value is not None and number < field.min_value:
            raise ValueError(
                _("“%(field)s” must be at least %(min)s.")
                % {"field": label, "min": field.min_value.normalize()}
            )
        if field.max_value is not None and number > field.max_value:
            raise ValueError(
                _("“%(field)s” must be at most %(max)s.")
                % {"field": label, "max": field.max_value.normalize()}
            )
        if number == number.to_integral_value():
            return int(number)
        return str(number)
    if kind == FieldKind.DATE:
        try:
            return _as_date(value).isoformat()
        except (ValueError, TypeError):
            raise ValueError(
                _("“%(field)s” must be a date such as 2026-03-05 or 115/3/5.") % {"field": label}
            ) from None
    if kind == FieldKind.CHOICE:
        codes = [code for code, _label in field.choice_list()]
        if value not in codes:
            raise ValueError(
                _("“%(field)s”: “%(value)s” is not one of the choices (%(choices)s).")
                % {"field": label, "value": value, "choices": ", ".join(codes)}
            )
        return value
    if kind == FieldKind.COUNTY:
        if not isinstance(value, str) or not County.objects.filter(code=value).exists():
            raise ValueError(
                _("“%(field)s” must be the five-digit code of a county or city, e.g. 63000.")
                % {"field": label}
            )
        return value
    if kind == FieldKind.INDUSTRY:
        if value not in industries:
            raise ValueError(
                _("“%(field)s” must be a two-digit industry division code, e.g. 25.")
                % {"field": label}
            )
        return value
    if kind == FieldKind.BUSINESS_ID:
        if not business_id_is_valid(value):
            raise ValueError(
                _("“%(field)s” is not a valid business ID (統一編號).") % {"field": label}
            )
        return value
    raise ValueError(_("“%(field)s” has an unknown kind.") % {"field": label})


def clean_case_data(fields, data, *, industries: set[str], partial: bool = False) -> dict:
    """``data`` checked against ``fields`` (the type's ``CaseField`` rows): unknown keys,
    missing required fields, wrong types and unknown choices are refused with one message per
    field, under the key ``data.<code>``. Empty values are dropped. With ``partial`` the
    required check is left out (for updates that merge into existing data)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError({"data": _("The type-specific fields must be an object.")})
    by_code = {f.code: f for f in fields}
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for key in data:
        if key not in by_code:
            errors[f"data.{key}"] = _("“%(key)s” is not a field of this case type.") % {"key": key}
    for code, field in by_code.items():
        value = data.get(code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required and not partial:
                errors[f"data.{code}"] = _("“%(field)s” is required.") % {"field": field.label}
            continue
        try:
            cleaned[code] = _clean_one(field, value, industries)
        except ValueError as exc:
            errors[f"data.{code}"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned
