"""How a result moves a check: counters, thresholds, state, incidents.

Active checks: ``failure_threshold`` failures in a row make a check *down* (one failure of an
*up* check changes nothing yet: no flapping), ``success_threshold`` successes make it *up*.
While a maintenance window covers it the check shows *maintenance* and opens no incident; a
check still failing when the window ends goes *down* then. Heartbeats: the sweep makes a silent
one *late* (period passed) and then *down* (grace passed); a *fail* signal makes it down at once.
Every change of state goes through ``state_set``: a conditional update on the state the caller
read, so two writers never both open an incident.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from ..choices import CheckState
from ..models import Check
from . import incidents


def state_set(*, check: Check, old: str, new: str, now: datetime, cause: str = "") -> bool:
    """Move ``check`` from ``old`` to ``new``; opens/resolves its incident. False when another
    writer changed the state first."""
    if old == new:
        return False
    with transaction.atomic():
        changed = Check.objects.filter(pk=check.pk, state=old).update(
            state=new, state_changed_at=now
        )
        if not changed:
            return False
        check.state, check.state_changed_at = new, now
        if new == CheckState.DOWN:
            incidents.incident_open(check=check, cause=cause or check.last_message, now=now)
        elif new == CheckState.UP:
            incidents.incident_resolve(check=check, now=now)
    return True


def next_state(check: Check, *, ok: bool, maintenance: bool) -> str:
    """The state a result leads to (the counters already include it)."""
    if maintenance:
        return CheckState.MAINTENANCE
    if ok:
        if check.successes >= check.success_threshold or check.state == CheckState.UP:
            return CheckState.UP
        return check.state if check.state in (CheckState.NEW, CheckState.DOWN) else CheckState.NEW
    if check.failures >= check.failure_threshold:
        return CheckState.DOWN
    if check.state == CheckState.MAINTENANCE:
        return CheckState.NEW
    return check.state
