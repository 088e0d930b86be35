"""The search index rows: written (or removed) by the services whenever a source changes.
The tokens and the query are in ``meetings.search``."""

from __future__ import annotations

from ..models import SearchEntry
from ..search import tokenize


def entry_upsert(
    *, kind: str, source_id: int, meeting, unit_id, title: str, text: str, url: str
) -> None:
    """Write (or rewrite) the index row of one source; empty text removes it."""
    if not (text or "").strip():
        SearchEntry.objects.filter(kind=kind, source_id=source_id).delete()
        return
    SearchEntry.objects.update_or_create(
        kind=kind,
        source_id=source_id,
        defaults={
            "meeting": meeting,
            "series_id": meeting.series_id,
            "unit_id": unit_id,
            "day": meeting.starts_at.date(),
            "title": title[:300],
            "text": text,
            "tokens": tokenize(title + " " + text),
            "url": url[:300],
        },
    )


def entry_delete(*, kind: str, source_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, source_id=source_id).delete()
