"""Daily reminders of overdue cases: a to-do for the handler (or, without one, the unit's
case officers), once per case and day (``CaseReminder`` is unique per case and day)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.recipients import RoleHolders
from notifications.services import notify

from ..constants import ROLE_CLERK
from ..models import Case, CaseReminder


def overdue_case_ids(*, today: dt.date) -> list[int]:
    return list(Case.objects.overdue(today).order_by("pk").values_list("pk", flat=True))


def overdue_remind(*, case_id: int, today: dt.date | None = None) -> bool:
    """Remind about one overdue case; False when it was already reminded today or is no
    longer overdue."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            case = (
                Case.objects.overdue(today)
                .select_related("case_type", "unit")
                .filter(pk=case_id)
                .first()
            )
            if case is None:
                return False
            reminder = CaseReminder.objects.create(case=case, day=today)
            recipients = [case.handler] if case.handler_id else [RoleHolders(ROLE_CLERK, case.unit)]
            notices = notify(
                recipients=recipients,
                kind="todo",
                priority="high",
                obj=case,
                title={
                    "zh-hant": f"逾期案件：{case.number} {case.subject}",
                    "en": f"Overdue case: {case.number} {case.subject}",
                },
                body={
                    "zh-hant": f"處理期限 {case.due_on.isoformat()} 已過。",
                    "en": f"It was due on {case.due_on.isoformat()}.",
                },
            )
            CaseReminder.objects.filter(pk=reminder.pk).update(recipients=len(notices))
    except IntegrityError:
        return False
    return True
