"""Plain-text rendering of a sync: one line per employee, for the command and the logs."""

from __future__ import annotations

from .choices import WRITING_KINDS, ChangeKind
from .feed import RowError
from .services import Change

ARROW = "→"


def _value(value) -> str:
    if value is None or value == "":
        return "''"
    return str(value)


def change_line(change: Change) -> str:
    """``move        M1002        line 3    organization: SEC → IM``."""
    where = f"line {change.line}" if change.line else "-"
    head = f"{change.kind:<11} {change.employee_number:<12} {where:<9}"
    if change.kind == ChangeKind.CREATE:
        detail = " ".join(f"{name}={_value(after)}" for name, (_b, after) in change.fields.items())
    else:
        detail = "; ".join(
            f"{name}: {_value(before)} {ARROW} {_value(after)}"
            for name, (before, after) in change.fields.items()
        )
    return f"{head} {detail}".rstrip()


def error_line(error: RowError) -> str:
    where = f"line {error.line}" if error.line else "-"
    field = f"{error.field}: " if error.field else ""
    return f"{'error':<11} {error.employee_number or '?':<12} {where:<9} {field}{error.reason}"


def report_lines(changes, errors, *, verbose: bool = False) -> list[str]:
    """Changes that write (every change with ``verbose``), then the row errors."""
    lines = [change_line(change) for change in changes if verbose or change.kind in WRITING_KINDS]
    lines.extend(error_line(error) for error in errors)
    return lines
