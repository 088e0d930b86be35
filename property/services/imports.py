"""Import of existing items (the register carried over from another system) from CSV or
XLSX: every row validated first, a report of (row, field, reason), and all or nothing.

Imported items are in use at once and posted as acquisitions on their acquisition date by one
completed movement of the agency, so the 增減結存表 equals the register from the first day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Organization

from .. import selectors, xlsx
from ..choices import ItemStatus, MovementKind, MovementStatus, Register
from ..models import Classification, Item, Movement, MovementLine
from .catalogue import ImportRefused, RowError, _decode
from .movements import _item_number, _number, _post

COLUMNS = [
    "register",
    "classification",
    "name",
    "specification",
    "brand_model",
    "quantity",
    "unit_of_measure",
    "area",
    "acquired_on",
    "cost",
    "residual_value",
    "useful_life_months",
    "funding_source",
    "custodian",
    "user_unit",
    "location",
]


def _rows(data: bytes, filename: str) -> list[dict]:
    if filename.lower().endswith(".xlsx"):
        try:
            table = xlsx.read(data)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one error
            raise ValidationError({"file": _("The workbook cannot be read.")}) from exc
    else:
        table = list(csv.reader(io.StringIO(_decode(data))))
    if not table:
        return []
    head = [h.strip() for h in table[0]]
    return [dict(zip(head, row, strict=False)) for row in table[1:] if any(c.strip() for c in row)]


def _decimal(value: str, field: str, number: int, errors: list) -> Decimal | None:
    try:
        result = Decimal((value or "0").replace(",", "").strip())
    except InvalidOperation:
        errors.append(RowError(number, field, _("not a number")))
        return None
    if result < 0:
        errors.append(RowError(number, field, _("cannot be negative")))
    return result


@transaction.atomic
def items_import(*, actor, agency: Organization, data: bytes, filename: str) -> Movement:
    """Validate every row, then create the items, or refuse the whole file."""
    if actor is not None and not selectors.is_officer(actor, agency):
        raise PermissionDenied
    rows = _rows(data, filename)
    if not rows:
        raise ValidationError({"file": _("The file has no rows.")})
    missing = [
        c
        for c in ("classification", "name", "acquired_on", "cost", "user_unit")
        if c not in rows[0]
    ]
    if missing:
        raise ImportRefused([RowError(1, c, _("missing column")) for c in missing])
    codes = {
        c.code: c
        for c in Classification.objects.filter(
            code__in={r.get("classification", "").strip() for r in rows}
        )
    }
    unit_ids = agency.descendant_ids()
    units = {u.code: u for u in Organization.objects.filter(pk__in=unit_ids)}
    people = {
        u.username: u
        for u in User.objects.filter(username__in={r.get("custodian", "").strip() for r in rows})
    }
    errors: list[RowError] = []
    prepared = []
    for number, row in enumerate(rows, start=2):
        cells = {k: (row.get(k) or "").strip() for k in COLUMNS}
        classification = codes.get(cells["classification"])
        if classification is None:
            errors.append(RowError(number, "classification", _("unknown classification code")))
        register = cells["register"] or Register.PROPERTY
        if register not in Register.values:
            errors.append(RowError(number, "register", _("unknown register")))
        unit = units.get(cells["user_unit"])
        if unit is None:
            errors.append(RowError(number, "user_unit", _("not a unit of this agency")))
        custodian = None
        if cells["custodian"]:
            custodian = people.get(cells["custodian"])
            if custodian is None:
                errors.append(RowError(number, "custodian", _("unknown user")))
        try:
            acquired = dt.date.fromisoformat(cells["acquired_on"])
        except ValueError:
            acquired = None
            errors.append(RowError(number, "acquired_on", _("not a date (YYYY-MM-DD)")))
        cost = _decimal(cells["cost"], "cost", number, errors)
        residual = _decimal(cells["residual_value"], "residual_value", number, errors)
        area = _decimal(cells["area"], "area", number, errors)
        try:
            quantity = int(cells["quantity"] or 1)
            if quantity < 1:
                raise ValueError
        except ValueError:
            quantity = None
            errors.append(RowError(number, "quantity", _("not a whole number of at least 1")))
        life = None
        if cells["useful_life_months"]:
            try:
                life = int(cells["useful_life_months"])
            except ValueError:
                errors.append(RowError(number, "useful_life_months", _("not a whole number")))
        if not cells["name"]:
            errors.append(RowError(number, "name", _("required")))
        if cost is not None and residual is not None and residual > cost:
            errors.append(RowError(number, "residual_value", _("exceeds the cost")))
        prepared.append(
            (
                number,
                cells,
                classification,
                register,
                unit,
                custodian,
                acquired,
                cost,
                residual,
                area,
                quantity,
                life,
            )
        )
    if errors:
        raise ImportRefused(errors)
    today = timezone.localdate()
    movement = Movement.objects.create(
        number=_number(agency=agency, kind=MovementKind.ACQUISITION, day=today),
        agency=agency,
        kind=MovementKind.ACQUISITION,
        status=MovementStatus.COMPLETED,
        effective_date=today,
        reason=_("Imported from %(file)s") % {"file": filename[:100]},
        requested_by=actor,
        requester_unit=getattr(actor, "organization", None),
        completed_at=timezone.now(),
    )
    for (
        _n,
        cells,
        classification,
        register,
        unit,
        custodian,
        acquired,
        cost,
        residual,
        area,
        quantity,
        life,
    ) in prepared:
        serial, item_number = _item_number(agency=agency, classification=classification)
        item = Item.objects.create(
            agency=agency,
            register=register,
            classification=classification,
            serial=serial,
            number=item_number,
            name=cells["name"][:200],
            specification=cells["specification"][:300],
            brand_model=cells["brand_model"][:200],
            quantity=quantity,
            unit_of_measure=cells["unit_of_measure"] or "件",
            area=area,
            acquired_on=acquired,
            cost=cost,
            value=cost,
            residual_value=residual,
            useful_life_months=life if life is not None else classification.useful_life_years * 12,
            funding_source=cells["funding_source"][:100],
            custodian=custodian,
            user_unit=unit,
            location=cells["location"][:200],
            status=ItemStatus.IN_USE,
        )
        MovementLine.objects.create(
            movement=movement, item=item, quantity=quantity, area=area, amount=cost
        )
        _post(
            movement,
            item,
            "acquisition",
            sign=1,
            quantity=quantity,
            area=area,
            value=cost,
            date=acquired,
        )
    return movement
