from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.files import file_response

from .. import selectors, services, tasks
from .common import meeting_or_404


def _full_meeting(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    if not selectors.reads_meeting(request.user, meeting):
        raise Http404
    return meeting


@require_POST
def book_build(request, pk: int):
    """Queue a build (the Celery job builds it; eager in the embedded default) and show its
    progress."""
    meeting = meeting_or_404(request.user, pk)
    try:
        job = services.book_request(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(meeting.get_absolute_url() + "#books")
    if job.status == "queued":
        transaction.on_commit(lambda: tasks.build_book.delay(job.pk))
    return redirect(job)


@require_GET
def book_job(request, pk: int, job_pk: int):
    meeting = meeting_or_404(request.user, pk)
    if not selectors.is_controller(request.user, meeting):
        raise Http404
    job = get_object_or_404(meeting.book_jobs.select_related("book"), pk=job_pk)
    return render(request, "meetings/book_job.html", {"meeting": meeting, "job": job})


@require_GET
def book_view(request, pk: int, version: int):
    meeting = _full_meeting(request, pk)
    book = get_object_or_404(meeting.books.all(), version=version)
    return render(
        request,
        "meetings/book.html",
        {"meeting": meeting, "book": book, "books": selectors.books(meeting)},
    )


@require_GET
def book_pdf(request, pk: int, version: int):
    meeting = _full_meeting(request, pk)
    book = get_object_or_404(meeting.books.all(), version=version)
    return file_response(
        book.pdf,
        filename=f"meeting-{meeting.pk}-v{book.version}.pdf",
        content_type="application/pdf",
    )
