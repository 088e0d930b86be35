"""The meeting book (議事資料): agenda, every unit's material in order, and the cases still
tracked with their whole history, as a web view and a PDF (WeasyPrint, Noto Sans CJK TC,
page numbers, a bookmark per part and per unit).

Each build is a new numbered version (``MeetingBook.version``, unique per meeting, taken under
the meeting's row lock); old versions stay readable. The book is the official record, so it is
written in Chinese whatever the controller's page language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from core.services import audit_record

from .. import selectors
from ..choices import MeetingStatus
from ..models import Meeting, MeetingBook

BOOK_LANGUAGE = "zh-hant"


def book_context(meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "items": list(meeting.items.select_related("unit")),
        "reports": list(meeting.reports.select_related("unit").prefetch_related("attachments")),
        "cases": list(selectors.carried_cases(meeting)),
    }


def book_render(meeting: Meeting, *, version: int) -> tuple[str, bytes, int]:
    """``(web view fragment, PDF bytes, pages)`` of the book of ``meeting``."""
    with translation.override(BOOK_LANGUAGE):
        context = {**book_context(meeting), "version": version}
        fragment = render_to_string("meetings/book/content.html", context)
        document = render_to_string("meetings/book/print.html", {**context, "content": fragment})
    rendered = HTML(string=document).render()
    return fragment, rendered.write_pdf(), len(rendered.pages)


@transaction.atomic
def book_build(*, meeting: Meeting, actor) -> MeetingBook:
    if not selectors.is_controller(actor, meeting):
        raise PermissionDenied
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("series", "chair")
        .get(pk=meeting.pk)
    )
    if meeting.status == MeetingStatus.DRAFT:
        raise ValidationError({"__all__": _("Open the meeting for filing first.")})
    version = (meeting.books.aggregate(n=Max("version"))["n"] or 0) + 1
    fragment, pdf, pages = book_render(meeting, version=version)
    book = MeetingBook(meeting=meeting, version=version, html=fragment, pages=pages, built_by=actor)
    book.pdf.save(f"meeting-{meeting.pk}-v{version}.pdf", ContentFile(pdf), save=False)
    book.save()
    audit_record(action="create", obj=book, actor=actor, message="meetings: book built")
    return book
