"""Overdue reminders of pending sign-off steps: one row per step and day, sent once."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from .. import selectors
from ..choices import ChainStatus, StepStatus
from ..models import SignOffReminder


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


REMINDER_SUBJECT = gettext_lazy("Overdue for sign-off: %(number)s %(subject)s")


def signoff_reminder_send(*, reminder_id: int) -> bool:
    """Send one prepared reminder. Returns False when it was already sent (or is no longer
    due); raises on a mail error so the task can retry. The reminder row is locked while the
    mail goes out, so two workers never both send it."""
    with transaction.atomic():
        reminder = (
            SignOffReminder.objects.select_for_update(of=("self",))
            .select_related("step__chain__document__unit", "step__assignee", "step__role")
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        step = reminder.step
        if step.status != StepStatus.PENDING or step.chain.status != ChainStatus.IN_PROGRESS:
            SignOffReminder.objects.filter(pk=reminder.pk).update(last_error="no longer pending")
            return False
        people = selectors.step_recipients(step, day=reminder.day)
        addresses = sorted({p.email for p in people if p.email})
        SignOffReminder.objects.filter(pk=reminder.pk).update(attempts=reminder.attempts + 1)
        if not addresses:
            SignOffReminder.objects.filter(pk=reminder.pk).update(
                sent_at=timezone.now(), recipients="", last_error="no e-mail address"
            )
            return False
        chain = step.chain
        document = chain.document
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(REMINDER_SUBJECT) % {
                "number": document.number if document else "",
                "subject": chain.subject[:80],
            }
            body = render_to_string(
                "documents/emails/overdue_reminder.txt",
                {"document": document, "chain": chain, "step": step, "day": reminder.day},
            )
        send_mail(
            subject=subject.replace("\n", " "),
            message=body,
            from_email=None,
            recipient_list=addresses,
            fail_silently=False,
        )
        SignOffReminder.objects.filter(pk=reminder.pk).update(
            sent_at=timezone.now(), recipients=", ".join(addresses), last_error=""
        )
    return True
