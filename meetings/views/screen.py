"""The paperless meeting screen and its event stream.

The stream is server-sent events: each answer reports the presenter's slide (``event:
slide``) and, with ``MEETINGS_SCREEN_HOLD_SECONDS`` above 0, stays open that long watching
for the next change; then it ends and the browser reconnects (``retry: 1000``). With the
default 0 each answer is immediate, so the gunicorn sync workers are never tied up by open
screens and a screen follows within about a second.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import AdvanceForm, NoteForm
from ..models import Meeting
from .common import meeting_or_404


def _screen_meeting(request, pk: int) -> Meeting:
    meeting = meeting_or_404(request.user, pk)
    if not selectors.reads_meeting(request.user, meeting):
        raise Http404
    return meeting


def screen(request, pk: int):
    meeting = _screen_meeting(request, pk)
    slides = services.screen_slides(meeting, request.user)
    reports = {f"report-{r.pk}": r for r in selectors.reports_visible(request.user, meeting)}
    items = {f"item-{i.pk}": i for i in selectors.agenda(meeting)}
    notes = selectors.notes_of(request.user, meeting)
    return render(
        request,
        "meetings/screen.html",
        {
            "meeting": meeting,
            "slides": [
                {
                    "key": key,
                    "title": title,
                    "report": reports.get(key),
                    "item": items.get(key),
                    "note": notes.get(key),
                }
                for key, title in slides
            ],
            "items": list(items.values()),
            "cases": [
                (case, (list(case.progress.all()) or [None])[-1])
                for case in selectors.carried_cases(meeting)
            ],
            "presenter": services.can_organise(request.user, meeting),
            "current": meeting.screen_slide or "agenda",
        },
    )


def _event(meeting: Meeting) -> str:
    data = json.dumps({"slide": meeting.screen_slide or "agenda", "seq": meeting.screen_seq})
    return f"retry: 1000\nid: {meeting.screen_seq}\nevent: slide\ndata: {data}\n\n"


def screen_events(request, pk: int):
    meeting = _screen_meeting(request, pk)
    last = request.headers.get("Last-Event-ID", request.GET.get("since", ""))
    hold = settings.MEETINGS_SCREEN_HOLD_SECONDS

    def stream():
        current = meeting
        if hold and last.isdigit() and int(last) == current.screen_seq:
            deadline = time.monotonic() + hold
            while time.monotonic() < deadline:
                time.sleep(0.5)
                current = Meeting.objects.only("screen_slide", "screen_seq").get(pk=meeting.pk)
                if current.screen_seq != int(last):
                    break
            else:
                yield ": waiting\n\n"
                return
        yield _event(current)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@require_POST
def screen_advance(request, pk: int):
    meeting = _screen_meeting(request, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "slide"}, status=400)
    try:
        meeting = services.screen_advance(
            meeting=meeting, actor=request.user, slide=form.cleaned_data["slide"]
        )
    except PermissionDenied:
        return JsonResponse({"error": "forbidden"}, status=403)
    except ValidationError:
        return JsonResponse({"error": "slide"}, status=400)
    return JsonResponse({"slide": meeting.screen_slide, "seq": meeting.screen_seq})


@require_POST
def note_save(request, pk: int):
    meeting = _screen_meeting(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "note"}, status=400)
    try:
        note = services.note_save(meeting=meeting, actor=request.user, **form.cleaned_data)
    except ValidationError:
        return JsonResponse({"error": "slide"}, status=400)
    return JsonResponse({"saved": note is not None})
