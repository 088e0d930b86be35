"""Deadline reminders: before the deadline and after it, to the case's handler and the head
and deputies of its handling unit (``accounts.authz.unit_officers``). Each reminder is a
``PetitionReminder`` row, unique per case, kind and deadline, so it is sent once; an extension
(a new deadline) arms both again."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import authz
from core.dates import add_working_days

from ..choices import OPEN_STATUSES
from ..models import Petition, PetitionReminder, ReminderKind
from .mail import mail_queue, mail_render, public_link


def reminder_recipients(petition: Petition) -> list[str]:
    """E-mail addresses of the handler and the unit's officers (head first, then deputies),
    without duplicates, sorted."""
    emails = []
    if petition.handler_id and petition.handler.is_active and petition.handler.email:
        emails.append(petition.handler.email)
    if petition.handling_unit_id:
        emails.extend(u.email for u in authz.unit_officers(petition.handling_unit_id) if u.email)
    return sorted(set(emails))


def reminders_due(*, today: date | None = None) -> list[tuple[int, str]]:
    """``(case id, kind)`` of open cases that are overdue, or due within
    ``PETITIONS_REMINDER_DAYS_BEFORE`` working days."""
    today = today or timezone.localdate()
    soon = add_working_days(today, settings.PETITIONS_REMINDER_DAYS_BEFORE)
    open_cases = Petition.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    due = [
        (pk, ReminderKind.OVERDUE)
        for pk in open_cases.filter(deadline__lt=today).values_list("pk", flat=True)
    ]
    due += [
        (pk, ReminderKind.BEFORE)
        for pk in open_cases.filter(deadline__gte=today, deadline__lte=soon).values_list(
            "pk", flat=True
        )
    ]
    return due


def reminder_send(*, petition_id: int, kind: str) -> bool:
    """Record the reminder and queue its mail; False when it was sent before or the case no
    longer needs it."""
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("handler", "handling_unit")
            .get(pk=petition_id)
        )
        if petition.deadline is None or petition.status not in OPEN_STATUSES:
            return False
        reminder, created = PetitionReminder.objects.get_or_create(
            petition=petition, kind=kind, deadline=petition.deadline
        )
        if not created:
            return False
        recipients = reminder_recipients(petition)
        reminder.recipients = ", ".join(recipients)
        reminder.save(update_fields=["recipients"])
        subject, body = mail_render(
            "petitions/emails/reminder",
            {
                "petition": petition,
                "overdue": kind == ReminderKind.OVERDUE,
                "link": public_link(reverse("petitions:staff:detail", args=[petition.pk])),
            },
        )
        for to in recipients:
            mail_queue(to=to, subject=subject, body=body, kind="reminder", petition=petition)
    return True
