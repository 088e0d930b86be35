"""Gap-free counters allocated inside the database.

``next_value(scope="documents:ORG12", year=115)`` hands out 1, 2, 3, ... per (scope, year). The
counter is one ``core.Sequence`` row: it is created if missing (INSERT ... ON CONFLICT DO
NOTHING), locked with SELECT ... FOR UPDATE and advanced, all in the caller's transaction. The
row stays locked until that transaction ends, so concurrent callers wait for each other and a
rollback gives the value back: numbers have no gaps and no duplicates. Keep the transaction
that takes a number short.

``scope`` names what is counted, "<app>:<what>" (e.g. "petitions:case",
"documents:<unit id>"); ``year`` is whatever year the numbers restart with (ROC years for
official numbers, see ``core.dates.roc_year``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Sequence

SCOPE_MAX_LENGTH = 100


def next_value(
    *, scope: str, year: int, max_value: int | None = None, using: str = "default"
) -> int:
    """The next value of the (scope, year) counter, starting at 1.

    Must run inside ``transaction.atomic()`` (RuntimeError otherwise): the counter row stays
    locked until the caller's transaction commits or rolls back. Raises ValidationError when the
    next value would exceed ``max_value`` (the counter is then left unchanged).
    """
    if not scope or len(scope) > SCOPE_MAX_LENGTH:
        raise ValueError(f"scope must be 1 to {SCOPE_MAX_LENGTH} characters, not {scope!r}")
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("next_value() must be called inside transaction.atomic()")
    manager = Sequence.objects.using(using)
    manager.bulk_create([Sequence(scope=scope, year=year, last_value=0)], ignore_conflicts=True)
    counter = manager.select_for_update().get(scope=scope, year=year)
    value = counter.last_value + 1
    if max_value is not None and value > max_value:
        raise ValidationError(
            _("Every number of %(scope)s for %(year)s has been used (at most %(max)s)."),
            code="sequence_exhausted",
            params={"scope": scope, "year": year, "max": max_value},
        )
    manager.filter(pk=counter.pk).update(last_value=value)
    return value
