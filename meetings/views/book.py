from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from .common import meeting_or_404, run


def _full_meeting(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    if not selectors.reads_meeting(request.user, meeting):
        raise Http404
    return meeting


@require_POST
def book_build(request, pk: int):
    meeting = meeting_or_404(request.user, pk)
    return run(
        request,
        None,
        lambda: services.book_build(meeting=meeting, actor=request.user),
        _("A new version of the meeting book was built."),
        meeting.get_absolute_url() + "#books",
    )


def book_view(request, pk: int, version: int):
    meeting = _full_meeting(request, pk)
    book = get_object_or_404(meeting.books.all(), version=version)
    return render(
        request,
        "meetings/book.html",
        {"meeting": meeting, "book": book, "books": selectors.books(meeting)},
    )


def book_pdf(request, pk: int, version: int):
    meeting = _full_meeting(request, pk)
    book = get_object_or_404(meeting.books.all(), version=version)
    response = FileResponse(
        book.pdf.open("rb"),
        as_attachment=False,
        filename=f"meeting-{meeting.pk}-v{book.version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
