"""Document numbers (字號): each unit's series and its gap-free serials per ROC year.

Serials come from ``core.sequences`` (scope ``documents:<unit id>``), taken in the transaction
that inserts the document, so a rollback returns the serial and numbers have no gaps.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Organization
from core.sequences import next_value

from ..constants import MAX_SERIAL, MINISTRY_PREFIX, UNIT_NAME_LEADERS
from ..models import DocumentSeries


def default_prefix(unit: Organization, *, taken: Iterable[str] = ()) -> str:
    """勞動 + the unit's first distinctive character (資訊處 → 勞動資, 勞動力發展署 → 勞動發);
    on a clash with another unit, two characters, then a digit (勞動保1)."""
    taken = set(taken)
    name = unit.name_zh.strip()
    for leader in UNIT_NAME_LEADERS:
        if name.startswith(leader) and len(name) > len(leader):
            name = name[len(leader) :]
            break
    name = name or unit.code
    candidates = [MINISTRY_PREFIX + name[:1], MINISTRY_PREFIX + name[:2]]
    candidates += [f"{MINISTRY_PREFIX}{name[:1]}{n}" for n in range(1, 100)]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    return f"{MINISTRY_PREFIX}{unit.code}"  # pragma: no cover - a hundred clashes


def document_series_for_unit(*, unit: Organization) -> DocumentSeries:
    """The unit's number series, created with the default prefix on first use."""
    series = DocumentSeries.objects.filter(unit=unit).first()
    if series is not None:
        return series
    for _attempt in range(5):
        taken = set(DocumentSeries.objects.values_list("prefix", flat=True))
        prefix = default_prefix(unit, taken=taken)
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent first use of the unit (or of the
        # same prefix by another unit) does not fail the transaction.
        DocumentSeries.objects.bulk_create(
            [DocumentSeries(unit=unit, prefix=prefix)], ignore_conflicts=True
        )
        series = DocumentSeries.objects.filter(unit=unit).first()
        if series is not None:
            return series
    raise ValidationError({"unit": _("No number series could be created for this unit.")})


@transaction.atomic
def document_series_set_prefix(*, series: DocumentSeries, prefix: str) -> DocumentSeries:
    series.prefix = prefix.strip()
    series.full_clean()
    series.save()
    return series


def serial_scope(unit: Organization) -> str:
    """The ``core.sequences`` scope of a unit's document serials."""
    return f"documents:{unit.pk}"


def allocate_serial(*, unit: Organization, year: int) -> int:
    """The next serial of (unit, year). Must run inside the caller's transaction (RuntimeError
    otherwise): the counter row stays locked until it commits, and a rollback gives the serial
    back."""
    try:
        return next_value(scope=serial_scope(unit), year=year, max_value=MAX_SERIAL)
    except ValidationError:
        raise ValidationError(
            _("The unit has used every document number of year %(year)s."), params={"year": year}
        ) from None
