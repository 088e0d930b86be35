"""Deadline reminders: before the deadline and after it, to the case's handler and the head
and deputies of its handling unit (``accounts.authz.unit_officers``), as to-do notices of the
notifications app (inbox, and e-mail per each person's preferences) that close themselves when
the case is answered or closed. Each reminder is a ``PetitionReminder`` row, unique per case,
kind and deadline, so it is sent once; an extension (a new deadline) arms both again."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import authz
from core.dates import add_working_days
from notifications.choices import NoticeKind, Priority
from notifications.services import notify

from ..choices import OPEN_STATUSES
from ..models import Petition, PetitionReminder, ReminderKind
from .mail import mail_render


def reminder_people(petition: Petition) -> list:
    """The active handler and the unit's officers (head first, then deputies), each once."""
    people = []
    if petition.handler_id and petition.handler.is_active:
        people.append(petition.handler)
    if petition.handling_unit_id:
        people.extend(authz.unit_officers(petition.handling_unit_id))
    seen: set[int] = set()
    return [p for p in people if not (p.pk in seen or seen.add(p.pk))]


def _texts(petition: Petition, *, overdue: bool) -> tuple[dict, dict]:
    """The notice's title and text in both languages (the mail templates, without a link:
    the notice links to the case)."""
    titles, bodies = {}, {}
    for language, code in (("zh-hant", "zh-hant"), ("en", "en")):
        subject, body = mail_render(
            "petitions/emails/reminder",
            {"petition": petition, "overdue": overdue, "link": ""},
            language=code,
        )
        titles[language], bodies[language] = subject, body.strip()
    return titles, bodies


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
        people = reminder_people(petition)
        reminder.recipients = ", ".join(p.email or p.username for p in people)[:2000]
        reminder.save(update_fields=["recipients"])
        overdue = kind == ReminderKind.OVERDUE
        title, body = _texts(petition, overdue=overdue)
        notify(
            recipients=people,
            kind=NoticeKind.TODO,
            obj=petition,
            title=title,
            body=body,
            link=reverse("petitions:staff:detail", args=[petition.pk]),
            priority=Priority.HIGH if overdue else Priority.NORMAL,
            source="petitions",
        )
    return True
