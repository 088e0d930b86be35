"""Overdue reminders of pending sign-off steps: one row per step and day, sent once.

A reminder is a high-priority to-do notice (``notifications.notify``, template
``documents.signoff_overdue``) to each person who may act on the step that day: in their inbox
and, per their preferences, by e-mail (the outbox relays it after commit, retrying on mail
errors). It is about the step, so it closes itself with the step's other to-dos when the step
is acted on.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from notifications.choices import NoticeKind, Priority
from notifications.services import notify

from .. import selectors
from ..choices import ChainStatus, StepStatus
from ..models import SignOffReminder
from .signoff import TEMPLATE_OVERDUE, step_notice_context, step_notice_due


def signoff_reminders_prepare(*, day: date) -> list[int]:
    """Make sure one reminder row exists per overdue pending step for ``day`` and return the
    ids of those not yet sent. Safe to run any number of times."""
    step_ids = list(selectors.overdue_pending_steps(day=day).values_list("id", flat=True))
    SignOffReminder.objects.bulk_create(
        [SignOffReminder(step_id=step_id, day=day) for step_id in step_ids],
        ignore_conflicts=True,
    )
    return list(
        SignOffReminder.objects.filter(
            day=day, sent_at__isnull=True, step_id__in=step_ids
        ).values_list("id", flat=True)
    )


def signoff_reminder_send(*, reminder_id: int) -> bool:
    """Send one prepared reminder: a to-do notice to the step's signer(s) and their delegates
    of the day, its e-mails queued in the outbox in this transaction. Returns False when it
    was already sent, is no longer due or has nobody to go to. The reminder row is locked
    while the notices are written and marked sent with them, so two workers never both send
    it and a rollback sends nothing."""
    with transaction.atomic():
        reminder = (
            SignOffReminder.objects.select_for_update(of=("self",))
            .select_related(
                "step__chain__document__unit",
                "step__chain__requester_unit",
                "step__chain__target_content_type",
                "step__assignee",
                "step__role",
            )
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        step = reminder.step
        chain = step.chain
        if step.status != StepStatus.PENDING or chain.status != ChainStatus.IN_PROGRESS:
            SignOffReminder.objects.filter(pk=reminder.pk).update(last_error="no longer pending")
            return False
        people = selectors.step_recipients(step, day=reminder.day)
        SignOffReminder.objects.filter(pk=reminder.pk).update(attempts=reminder.attempts + 1)
        if not people:
            SignOffReminder.objects.filter(pk=reminder.pk).update(
                sent_at=timezone.now(), recipients="", last_error="nobody to remind"
            )
            return False
        notices = notify(
            recipients=people,
            kind=NoticeKind.TODO,
            priority=Priority.HIGH,
            template=TEMPLATE_OVERDUE,
            obj=step,
            link=chain.get_absolute_url(),
            context={**step_notice_context(step), "day": reminder.day},
            due=step_notice_due(chain),
            source="documents",
        )
        SignOffReminder.objects.filter(pk=reminder.pk).update(
            sent_at=timezone.now(),
            recipients=", ".join(sorted(n.recipient.username for n in notices)),
            last_error="",
        )
    return True
