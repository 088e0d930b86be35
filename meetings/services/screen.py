"""The paperless meeting screen: the presenter's position and personal notes.

The secretary (or a controller) moves the screen to a slide; the slide key and a counter are
stored on the meeting with one conditional update, and every open screen, listening to the
meeting's event stream, follows. Notes belong to their author alone.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Meeting, PersonalNote
from .meetings import can_organise


def screen_slides(meeting: Meeting, user) -> list[tuple[str, str]]:
    """``(key, title)`` of every slide of the screen, in order: the agenda, each item, each
    unit's material, the tracked cases."""
    slides = [("agenda", _("Agenda"))]
    slides += [(f"item-{item.pk}", str(item)) for item in meeting.items.all()]
    slides += [
        (f"report-{report.pk}", report.unit.name)
        for report in selectors.reports_visible(user, meeting)
    ]
    slides.append(("cases", _("Tracked cases")))
    return slides


@transaction.atomic
def screen_advance(*, meeting: Meeting, actor, slide: str) -> Meeting:
    if not can_organise(actor, meeting):
        raise PermissionDenied
    if slide not in {key for key, _title in screen_slides(meeting, actor)}:
        raise ValidationError({"slide": _("There is no such slide in this meeting.")})
    Meeting.objects.filter(pk=meeting.pk).update(screen_slide=slide, screen_seq=F("screen_seq") + 1)
    meeting.refresh_from_db(fields=["screen_slide", "screen_seq"])
    return meeting


@transaction.atomic
def note_save(*, meeting: Meeting, actor, slide: str, text: str) -> PersonalNote | None:
    """The author's note on a slide; empty text deletes it."""
    if not selectors.reads_meeting(actor, meeting):
        raise PermissionDenied
    if slide not in {key for key, _title in screen_slides(meeting, actor)}:
        raise ValidationError({"slide": _("There is no such slide in this meeting.")})
    text = text.strip()
    if not text:
        PersonalNote.objects.filter(author=actor, meeting=meeting, slide=slide).delete()
        return None
    note, _created = PersonalNote.objects.update_or_create(
        author=actor, meeting=meeting, slide=slide, defaults={"text": text[:5000]}
    )
    return note
