"""Writes of the labour-administration platform (each takes ``actor=`` and checks it)."""

from .attachments import case_attachment_add
from .cases import (
    case_create,
    case_transition,
    case_update,
    due_date,
    transition_approved,
    transition_returned,
)
from .facts import daily_facts_build
from .imports import ImportProblem, ImportReport, cases_import
from .reminders import overdue_case_ids, overdue_remind
from .units import DEFAULT_FILE, UnitLoadReport, labor_units_load

__all__ = [
    "DEFAULT_FILE",
    "ImportProblem",
    "ImportReport",
    "UnitLoadReport",
    "case_attachment_add",
    "case_create",
    "case_transition",
    "case_update",
    "cases_import",
    "daily_facts_build",
    "due_date",
    "labor_units_load",
    "overdue_case_ids",
    "overdue_remind",
    "transition_approved",
    "transition_returned",
]
