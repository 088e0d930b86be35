"""The units' material: written freely until the filing deadline, changed after it only
through a late change the controller grants (audited).

A unit's material is written by its filers (``meetings.filer`` covering the unit) and its head
and deputies, never by another unit. Writing is allowed while the meeting is open for filing
and before its deadline, or until the end of a granted late change
(``MEETINGS_LATE_CHANGE_HOURS``) while the meeting has not been held.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import timedelta
from xml.etree import ElementTree

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from pypdf import PdfReader

from core.services import audit_record
from notifications.services import notice_resolve

from .. import selectors
from ..choices import LateChangeStatus, MeetingStatus, ReportStatus, SearchKind
from ..constants import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    RICH_TEXT_ATTRIBUTES,
    RICH_TEXT_TAGS,
)
from ..models import LateChangeRequest, Meeting, ReportAttachment, UnitReport
from .notices import controllers, send
from .search import entry_delete, entry_upsert

FIGURE_COLUMNS = ("label", "value", "note")
WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


#: Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and
#: the C0/C1 controls other than tab and newline: they can make stored text read differently
#: from what it is ("Trojan Source"), so the sections drop them. The marks U+200E/U+200F stay.
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: A value that has no tag at all is plain text from the textarea (no JavaScript): its blank
#: lines make paragraphs and its line breaks stay.
_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z]")


def clean_rich_text(value: str) -> str:
    """The stored HTML of a rich-text section: only ``RICH_TEXT_TAGS`` (with a row or column
    span on table cells), no other attribute, no comment, no script or style content, no
    hidden controls. Plain text (the textarea without the editor) becomes paragraphs."""
    value = _HIDDEN.sub("", (value or "").replace("\r\n", "\n")).strip()
    if value and not _HAS_TAG.search(value):
        value = linebreaks(value, autoescape=True)
    return nh3.clean(
        value,
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(),
        filter_style_properties=set(),
    ).strip()


def plain_text(value: str) -> str:
    return " ".join(html.unescape(nh3.clean(value or "", tags=set())).split())


def _deadline_passed(meeting: Meeting, now) -> bool:
    return meeting.filing_deadline is None or now >= meeting.filing_deadline


def report_editable(report: UnitReport, *, now=None) -> bool:
    """Whether the material may be changed now (not who may change it)."""
    now = now or timezone.now()
    meeting = report.meeting
    if meeting.status == MeetingStatus.FILING and not _deadline_passed(meeting, now):
        return True
    return (
        meeting.status in (MeetingStatus.FILING, MeetingStatus.FILING_CLOSED)
        and report.late_until is not None
        and now < report.late_until
    )


def may_edit(user, report: UnitReport) -> bool:
    return selectors.can_file(user, report.unit_id) and report_editable(report)


def may_request_late_change(user, report: UnitReport) -> bool:
    meeting = report.meeting
    return (
        selectors.can_file(user, report.unit_id)
        and not report_editable(report)
        and meeting.status in (MeetingStatus.FILING, MeetingStatus.FILING_CLOSED)
        and not report.late_requests.filter(status=LateChangeStatus.PENDING).exists()
    )


def _check_writable(report: UnitReport, actor) -> UnitReport:
    if not selectors.can_file(actor, report.unit_id):
        raise PermissionDenied
    report = (
        UnitReport.objects.select_for_update().select_related("meeting", "unit").get(pk=report.pk)
    )
    if not report_editable(report):
        raise ValidationError(
            {"__all__": _("The filing deadline has passed: ask the controller for a late change.")}
        )
    return report


def _clean_figures(figures) -> list[dict]:
    rows = []
    for row in figures or []:
        cleaned = {k: " ".join(str(row.get(k, "")).split())[:200] for k in FIGURE_COLUMNS}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows


def report_index(report: UnitReport) -> None:
    figures = " ".join(" ".join(r.values()) for r in report.figures)
    entry_upsert(
        kind=SearchKind.MATERIAL,
        source_id=report.pk,
        meeting=report.meeting,
        unit_id=report.unit_id,
        title=f"{report.unit.name_zh} {report.unit.name_en}".strip(),
        text="\n".join(
            x for x in (plain_text(report.summary), plain_text(report.issues), figures) if x
        ),
        url=report.get_absolute_url(),
    )


@transaction.atomic
def report_save(
    *, report: UnitReport, actor, summary: str, issues: str = "", figures=()
) -> UnitReport:
    report = _check_writable(report, actor)
    late = _deadline_passed(report.meeting, timezone.now())
    report.summary = clean_rich_text(summary)
    report.issues = clean_rich_text(issues)
    report.figures = _clean_figures(figures)
    report.status = ReportStatus.FILED
    report.filed_at = timezone.now()
    report.filed_by = actor
    report.full_clean()
    report.save()
    report_index(report)
    notice_resolve(obj=report)
    if late:
        audit_record(
            action="update",
            obj=report,
            actor=actor,
            message="meetings: material changed after the deadline (late change)",
        )
    return report


def extract_text(data: bytes, content_type: str) -> str:
    """The text of a PDF (pypdf) or DOCX (its paragraphs); '' when unreadable."""
    try:
        if content_type == "application/pdf":
            reader = PdfReader(io.BytesIO(data))
            return "\n".join((page.extract_text() or "") for page in reader.pages).strip()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))  # noqa: S314
        paragraphs = [
            "".join(t.text or "" for t in p.iter(f"{WORD_NS}t")) for p in root.iter(f"{WORD_NS}p")
        ]
        return "\n".join(p for p in paragraphs if p).strip()
    except Exception:  # noqa: BLE001 - a damaged file is stored, just not searchable
        return ""


def _detect(data: bytes, name: str) -> str | None:
    lower = name.lower()
    if data.startswith(b"%PDF-") and lower.endswith(".pdf"):
        return "application/pdf"
    if data.startswith(b"PK") and lower.endswith(".docx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return next(k for k, v in ATTACHMENT_TYPES.items() if v == ".docx")
        except zipfile.BadZipFile:
            return None
    return None


@transaction.atomic
def attachment_add(*, report: UnitReport, actor, upload) -> ReportAttachment:
    """Attach a PDF or DOCX (checked by content) to the material; its text is indexed."""
    report = _check_writable(report, actor)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    data = upload.read()
    content_type = _detect(data, upload.name)
    if content_type is None:
        raise ValidationError({"file": _("Attach a PDF or a Word (.docx) file.")})
    name = upload.name.rsplit("/", 1)[-1][:200]
    upload.seek(0)
    attachment = ReportAttachment(
        report=report,
        name=name,
        size=len(data),
        content_type=content_type,
        text=extract_text(data, content_type),
        uploaded_by=actor,
    )
    attachment.file.save(f"{report.pk}{ATTACHMENT_TYPES[content_type]}", upload, save=False)
    attachment.save()
    entry_upsert(
        kind=SearchKind.ATTACHMENT,
        source_id=attachment.pk,
        meeting=report.meeting,
        unit_id=report.unit_id,
        title=name,
        text=attachment.text,
        url=report.get_absolute_url(),
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ReportAttachment, actor) -> None:
    _check_writable(attachment.report, actor)
    entry_delete(kind=SearchKind.ATTACHMENT, source_id=attachment.pk)
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def late_change_request(*, report: UnitReport, actor, reason: str) -> LateChangeRequest:
    if not selectors.can_file(actor, report.unit_id):
        raise PermissionDenied
    report = (
        UnitReport.objects.select_for_update().select_related("meeting", "unit").get(pk=report.pk)
    )
    if not may_request_late_change(actor, report):
        raise ValidationError(
            {
                "reason": _(
                    "A late change cannot be asked for now (still open, already asked, "
                    "or the meeting was held)."
                )
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the material must change.")})
    request = LateChangeRequest.objects.create(
        report=report, requested_by=actor, reason=reason.strip()
    )
    audit_record(action="create", obj=request, actor=actor, message="meetings: late change asked")
    send(
        "late_requested",
        recipients=controllers(report.meeting.series),
        obj=request,
        context={"meeting": report.meeting, "report": report, "request": request},
        kind="todo",
        link=report.meeting.get_absolute_url() + "#late-requests",
    )
    return request


@transaction.atomic
def late_change_decide(
    *, request: LateChangeRequest, actor, grant: bool, comment: str = ""
) -> LateChangeRequest:
    """The controller grants (the unit may change its material for
    ``MEETINGS_LATE_CHANGE_HOURS``) or refuses; audited either way."""
    report = request.report
    if not selectors.is_controller(actor, report.meeting):
        raise PermissionDenied
    status = LateChangeStatus.GRANTED if grant else LateChangeStatus.REFUSED
    now = timezone.now()
    changed = LateChangeRequest.objects.filter(
        pk=request.pk, status=LateChangeStatus.PENDING
    ).update(status=status, decided_by=actor, decided_at=now, comment=comment.strip())
    if not changed:
        raise ValidationError({"__all__": _("This request has already been decided.")})
    request.refresh_from_db()
    if grant:
        report.late_until = now + timedelta(hours=settings.MEETINGS_LATE_CHANGE_HOURS)
        report.save(update_fields=["late_until", "updated_at"])
    audit_record(
        action="update",
        obj=request,
        actor=actor,
        changes={"status": [LateChangeStatus.PENDING, status]},
        message=f"meetings: late change {status}",
    )
    notice_resolve(obj=request)
    send(
        "late_decided",
        recipients=[request.requested_by],
        obj=report,
        context={"meeting": report.meeting, "report": report, "request": request, "granted": grant},
    )
    return request
