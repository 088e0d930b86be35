"""The meeting book (議事資料): agenda, every unit's material in order, and the cases still
tracked, as a web view and a PDF (WeasyPrint, Noto Sans CJK TC, page numbers, a bookmark per
part, per unit and per case). The PDF's three parts (front and agenda, the units' reports, the
carried cases) each begin on a new page, so they are laid out in parallel processes and joined,
and the page numbers stamped afterwards (``core.pdf``).

The web view keeps each case's whole history (progress notes and earlier decisions); the PDF
prints each case's latest progress only and its decisions, which keeps a ten-year series'
book to a readable (and quickly laid out) length.

A controller *requests* a build (``book_request``: a ``BookJob`` row, one pending per meeting);
``tasks.build_book`` runs ``book_job_run``, which records the steps done and, at the end, the
new numbered ``MeetingBook`` (``version`` unique per meeting, taken under the meeting's row lock
when the book is stored). Old versions stay readable. ``book_build`` is the same build in the
caller's process (demo data, tests). The book is the official record, so it is written in
Chinese whatever the controller's page language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import pdf as core_pdf
from core.services import audit_record

from .. import selectors
from ..choices import BookJobStatus, MeetingStatus
from ..models import BookJob, Meeting, MeetingBook

BOOK_LANGUAGE = "zh-hant"
#: The steps a build reports: data read, HTML rendered, PDF laid out, PDF written, stored.
BOOK_STEPS = 5
#: Minutes a build may take (the task's time limit).
BOOK_TIME_LIMIT = 15
#: The PDF's documents when laid out in parallel (``core.pdf``): the cover, agenda and
#: reports, and the carried cases, each beginning on a new page and of about equal length.
#: Each embeds its own subset of the CJK font, so there are no more of them than that.
BOOK_DOCUMENTS = (("front", "reports"), ("cases",))


def book_context(meeting: Meeting) -> dict:
    """Everything the book shows, in a fixed number of queries (no per-row query)."""
    cases = list(selectors.carried_cases(meeting))
    for case in cases:
        notes = list(case.progress.all())  # prefetched, oldest first
        case.latest_progress = notes[-1] if notes else None
    return {
        "meeting": meeting,
        "items": list(meeting.items.select_related("unit")),
        "reports": list(meeting.reports.select_related("unit").prefetch_related("attachments")),
        "cases": cases,
    }


def book_render(
    meeting: Meeting, *, version: int, progress: Callable[[int], None] | None = None
) -> tuple[str, bytes, int]:
    """``(web view fragment, PDF bytes, pages)`` of the book of ``meeting``; ``progress(step)``
    is told each step done."""
    tell = progress or (lambda step: None)
    with translation.override(BOOK_LANGUAGE):
        context = {**book_context(meeting), "version": version}
        tell(1)
        fragment = render_to_string("meetings/book/content.html", context)
        documents = [
            render_to_string(
                "meetings/book/pdf.html",
                {
                    **context,
                    "content": render_to_string(
                        "meetings/book/pdf_content.html", {**context, "parts": parts}
                    ),
                },
            )
            for parts in (BOOK_DOCUMENTS if core_pdf.default_processes() > 1 else [()])
        ]
        tell(2)
    pdfs = core_pdf.render_parts(documents)
    tell(3)
    pdf, pages = core_pdf.join(pdfs)
    tell(4)
    return fragment, pdf, pages


def _check(meeting: Meeting, actor) -> None:
    if not selectors.is_controller(actor, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.DRAFT:
        raise ValidationError({"__all__": _("Open the meeting for filing first.")})


def _next_version(meeting: Meeting) -> int:
    return (meeting.books.aggregate(n=Max("version"))["n"] or 0) + 1


def _store(meeting: Meeting, *, version: int, actor, fragment: str, pdf: bytes, pages: int):
    """Save the rendered book as ``version`` under the meeting's row lock (short: the layout is
    done before it); a version taken meanwhile moves this one to the next number."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        version = max(version, _next_version(locked))
        book = MeetingBook(
            meeting=locked, version=version, html=fragment, pages=pages, built_by=actor
        )
        book.pdf.save(f"meeting-{meeting.pk}-v{version}.pdf", ContentFile(pdf), save=False)
        book.save()
        audit_record(action="create", obj=book, actor=actor, message="meetings: book built")
    return book


def book_build(*, meeting: Meeting, actor, progress=None) -> MeetingBook:
    """Build a new version of the book now, in this process."""
    meeting = Meeting.objects.select_related("series", "chair").get(pk=meeting.pk)
    _check(meeting, actor)
    version = _next_version(meeting)
    fragment, pdf, pages = book_render(meeting, version=version, progress=progress)
    return _store(meeting, version=version, actor=actor, fragment=fragment, pdf=pdf, pages=pages)


def book_request(*, meeting: Meeting, actor) -> BookJob:
    """A queued build (the caller enqueues ``tasks.build_book`` after commit). While one is
    queued or running for the meeting, that one is answered (no second build)."""
    _check(meeting, actor)
    pending = BookJob.objects.filter(
        meeting=meeting, status__in=[BookJobStatus.QUEUED, BookJobStatus.RUNNING]
    ).first()
    if pending:
        return pending
    try:
        with transaction.atomic():
            return BookJob.objects.create(meeting=meeting, requested_by=actor, steps=BOOK_STEPS)
    except IntegrityError:  # another request queued one at the same moment
        return BookJob.objects.get(
            meeting=meeting, status__in=[BookJobStatus.QUEUED, BookJobStatus.RUNNING]
        )


def book_job_run(*, job_id: int) -> bool:
    """Claim a queued job (a conditional update: a second delivery does nothing), build the
    book step by step, record the new version. Idempotent."""
    if not BookJob.objects.filter(pk=job_id, status=BookJobStatus.QUEUED).update(
        status=BookJobStatus.RUNNING, step=0
    ):
        return False
    job = BookJob.objects.select_related("meeting", "requested_by").get(pk=job_id)

    def progress(step: int) -> None:
        BookJob.objects.filter(pk=job_id).update(step=step)

    try:
        book = book_build(meeting=job.meeting, actor=job.requested_by, progress=progress)
    except Exception as exc:
        BookJob.objects.filter(pk=job_id).update(
            status=BookJobStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        if isinstance(exc, PermissionDenied | ValidationError):
            return False  # the requester lost the role or the meeting went back: recorded
        raise
    BookJob.objects.filter(pk=job_id).update(
        status=BookJobStatus.DONE, step=BOOK_STEPS, book=book, finished_at=timezone.now()
    )
    return True


def book_jobs_sweep() -> list[int]:
    """Queued jobs older than a minute whose task was lost: the ids to run again. A job still
    running after the task's time limit lost its worker: it is marked failed (ask again)."""
    now = timezone.now()
    BookJob.objects.filter(
        status=BookJobStatus.RUNNING, created_at__lt=now - dt.timedelta(minutes=BOOK_TIME_LIMIT)
    ).update(status=BookJobStatus.FAILED, error="lost its worker", finished_at=now)
    cutoff = now - dt.timedelta(minutes=1)
    return list(
        BookJob.objects.filter(status=BookJobStatus.QUEUED, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
