"""Writes of the property app, split by concept; each takes ``actor=`` and checks it
(``None``: a trusted internal caller such as a task)."""

from .attachments import movement_attachment_add
from .catalogue import ImportRefused, RowError, classifications_load, register_for
from .handover import (
    handover_assign,
    handover_draft_for_person,
    handover_on_person_deactivated,
    handover_on_person_moved,
    handovers_sweep,
)
from .imports import items_import
from .movements import (
    acquisition_create,
    movement_accept,
    movement_approved,
    movement_cancel,
    movement_create,
    movement_refuse,
    movement_returned,
    movement_submit,
    movement_withdraw,
    movements_settle_cancelled,
)
from .stocktake import stocktake_close, stocktake_open, stocktake_scan

__all__ = [
    "ImportRefused",
    "RowError",
    "acquisition_create",
    "classifications_load",
    "handover_assign",
    "handover_draft_for_person",
    "handover_on_person_deactivated",
    "handover_on_person_moved",
    "handovers_sweep",
    "items_import",
    "movement_accept",
    "movement_approved",
    "movement_attachment_add",
    "movement_cancel",
    "movement_create",
    "movement_refuse",
    "movement_returned",
    "movement_submit",
    "movement_withdraw",
    "movements_settle_cancelled",
    "register_for",
    "stocktake_close",
    "stocktake_open",
    "stocktake_scan",
]
