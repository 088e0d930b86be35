"""Signals accounts sends so that the apps above it can react to changes of a person without
accounts importing them (the import layers put accounts below the domain apps).

Both are sent by the HR sync (``accounts.hr.services``: the feed, ``manage.py hr_sync`` and
SCIM), once per applied change, **after the transaction that wrote the change commits**
(``transaction.on_commit``; a row rolled back sends nothing) and with ``send_robust``, so a
failing receiver is logged and never undoes or stops the sync. Receivers must be idempotent:
a record applied twice, or a receiver's own safety-net sweep, may cover the same person again.

- ``person_deactivated(sender=User, user=<User>, run_id=<HRSyncRun pk>)``: the person left
  (``is_active`` is now false).
- ``person_moved(sender=User, user=<User>, from_unit_id=<Organization pk or None>,
  to_unit_id=<Organization pk>, run_id=<HRSyncRun pk>)``: the person's ``organization``
  changed (an active person; a move that is also a departure sends ``person_deactivated``).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

person_deactivated = Signal()
person_moved = Signal()


def send_on_commit(signal: Signal, *, sender, **kwargs) -> None:
    """Send ``signal`` robustly once the current transaction commits (at once outside one)."""

    def send():
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "accounts signal receiver %r failed: %s",
                    receiver,
                    result,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)
