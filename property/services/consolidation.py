"""The ministry's consolidated 增減結存表: requested on a page, built by a Celery job that
records its progress per agency, with its PDF and XLSX stored through Django's storage."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..choices import Register, ReportStatus
from ..models import ConsolidationReport
from ..reports import balance, render


@transaction.atomic
def consolidation_request(
    *, actor, register: str, date_from: dt.date, date_to: dt.date
) -> ConsolidationReport:
    """A queued report row; the caller enqueues ``tasks.build_consolidation`` after commit, and
    the periodic sweep builds any queued row whose task never ran."""
    if actor is not None and not selectors.is_consolidator(actor):
        raise PermissionDenied
    if register not in Register.values:
        raise ValidationError({"register": _("Choose a register.")})
    if date_from > date_to:
        raise ValidationError({"date_to": _("The end of the period is before its start.")})
    report = ConsolidationReport.objects.create(
        requested_by=actor,
        register=register,
        date_from=date_from,
        date_to=date_to,
        total_agencies=selectors.agencies().count(),
    )
    return report


def consolidation_build(*, report_id: int) -> bool:
    """Claim a queued report (a conditional update: a second worker does nothing), build it
    agency by agency, store the PDF and XLSX. Idempotent."""
    if not ConsolidationReport.objects.filter(
        pk=report_id, status__in=[ReportStatus.QUEUED]
    ).update(status=ReportStatus.RUNNING):
        return False
    report = ConsolidationReport.objects.get(pk=report_id)
    agency_ids = list(selectors.agencies().values_list("pk", flat=True))

    def progress(done, total):
        ConsolidationReport.objects.filter(pk=report_id).update(
            done_agencies=done, total_agencies=total
        )

    try:
        result = balance.balance(
            agency_ids=agency_ids,
            register=report.register,
            date_from=report.date_from,
            date_to=report.date_to,
            progress=progress,
        )
        kwargs = {
            "result": result,
            "title_unit": "勞動部及所屬機關",
            "register": report.register,
            "date_from": report.date_from,
            "date_to": report.date_to,
        }
        pdf = render.balance_pdf(**kwargs)
        sheet = render.balance_xlsx(**kwargs)
    except Exception as exc:
        ConsolidationReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    name = f"consolidated-{report.register}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}"
    report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.xlsx.save(f"{name}.xlsx", ContentFile(sheet), save=False)
    report.result = balance.as_json(result)
    report.status = ReportStatus.DONE
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "xlsx", "result", "status", "finished_at"])
    return True


def consolidations_sweep() -> list[int]:
    """Queued reports older than a minute whose task was lost: the ids to build again."""
    cutoff = timezone.now() - dt.timedelta(minutes=1)
    return list(
        ConsolidationReport.objects.filter(
            status=ReportStatus.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
