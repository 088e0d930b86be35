"""The classification table (財物標準分類) and the register rules, loaded as data."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import authz

from ..choices import Register
from ..constants import ROLE_OFFICER
from ..models import Classification, RegisterRule


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str


class ImportRefused(ValidationError):
    """Raised with every row error; nothing was saved."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__([f"{e.row}: {e.field}: {e.reason}" for e in errors])


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": "The file is neither UTF-8 nor Big5 text."})


@transaction.atomic
def classifications_load(*, data: bytes | str, actor=None) -> dict:
    """Create or update classifications from CSV (``code,name_zh,name_en,useful_life_years``).
    All or nothing: any row error refuses the file (``ImportRefused`` lists them)."""
    if actor is not None and not authz.has_role(actor, ROLE_OFFICER):
        raise PermissionDenied
    reader = csv.DictReader(io.StringIO(_decode(data)))
    errors: list[RowError] = []
    rows = []
    for number, row in enumerate(reader, start=2):
        obj = Classification(
            code=(row.get("code") or "").strip(),
            name_zh=(row.get("name_zh") or "").strip(),
            name_en=(row.get("name_en") or "").strip(),
        )
        try:
            obj.useful_life_years = int((row.get("useful_life_years") or "0").strip())
        except ValueError:
            errors.append(RowError(number, "useful_life_years", "not a whole number"))
            continue
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(RowError(number, field, str(m)) for m in messages)
            continue
        rows.append(obj)
    if errors:
        raise ImportRefused(errors)
    created = updated = 0
    for obj in rows:
        _obj, made = Classification.objects.update_or_create(
            code=obj.code,
            defaults={
                "name_zh": obj.name_zh,
                "name_en": obj.name_en,
                "useful_life_years": obj.useful_life_years,
            },
        )
        created += made
        updated += not made
    return {"created": created, "updated": updated}


def register_for(*, classification: Classification, cost: Decimal, fund: bool = False) -> str:
    """The register an acquisition belongs to under the ``RegisterRule`` rows; a property of a
    fund (``fund``) goes to the fund register."""
    rules = RegisterRule.objects.all()
    for rule in rules:
        if rule.class_digit and rule.class_digit != classification.class_digit:
            continue
        met = Decimal(cost) >= rule.min_cost and (
            classification.useful_life_years >= rule.min_life_years
        )
        register = rule.register_when_met if met else rule.register_otherwise
        break
    else:
        register = Register.PROPERTY
    if fund and register == Register.PROPERTY:
        return Register.FUND
    return register
