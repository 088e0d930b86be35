"""Search over every meeting's text: the index rows and the query.

Chinese has no spaces between words, so a word index of the usual kind finds nothing inside a
sentence. The choice here: **overlapping CJK bigrams plus lower-cased English words**, computed
in Python (``tokenize``) and stored beside the text in ``SearchEntry.tokens``:

- 勞動基準法 → ``勞動 動基 基準 準法``; "Labor Standards Act" → ``labor standards act``;
- a query is tokenised the same way and becomes a phrase query (``<->`` between consecutive
  bigrams, so 基準法 matches only where 基準 is followed by 準法), English words as prefixes,
  terms of the query joined by AND;
- PostgreSQL answers it from a GIN index on a stored ``tsvector`` column the database generates
  from ``tokens`` (migration 0004; the ``simple`` configuration keeps each token as it is, and
  phrase matches are rechecked against the stored vector, not by parsing the text again).
  A one-character Chinese query matches bigrams that start with it (``勞:*``). Trigrams
  (pg_trgm) were not chosen: a two-character Chinese word, the commonest query, has no
  trigram, and ILIKE on a trigram index rescans every candidate row.
- On SQLite (the embedded default) the same filters run as ``LIKE`` over the text: slower, the
  same results for phrases.

Snippets are cut from the text around the first match and the match is wrapped in ``<mark>``
(escaped, so stored text never becomes markup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import SearchEntry

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"  # ideographs
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z\u00c0-\u024f]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
SNIPPET_CHARS = 60


def _runs(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokenize(text: str) -> str:
    """The index tokens of ``text``: CJK bigrams and lower-cased words, in text order."""
    tokens: list[str] = []
    for run in _runs(text):
        if _IS_CJK.match(run):
            tokens.extend(_bigrams(run))
        else:
            tokens.append(run.lower())
    return " ".join(tokens)


def _tsquery(query: str) -> str:
    """A to_tsquery('simple', …) text for ``query``; '' when it has no searchable term."""
    parts = []
    for run in _runs(query):
        if _IS_CJK.match(run):
            if len(run) == 1:
                parts.append(f"{run}:*")
            else:
                parts.append("(" + " <-> ".join(_bigrams(run)) + ")")
        else:
            parts.append(f"{run.lower()}:*")
    return " & ".join(parts)


def terms(query: str) -> list[str]:
    return _runs(query)


def matching(rows: QuerySet[SearchEntry], query: str) -> QuerySet[SearchEntry]:
    """``rows`` whose text contains every term of ``query`` (each CJK run as a phrase)."""
    words = terms(query)
    if not words:
        return rows.none()
    if connection.vendor == "postgresql":
        return rows.extra(
            where=["meetings_searchentry.vector @@ to_tsquery('simple', %s)"],
            params=[_tsquery(query)],
        )
    q = Q()
    for word in words:
        q &= Q(title__icontains=word) | Q(text__icontains=word)
    return rows.filter(q)


@dataclass
class Hit:
    entry: SearchEntry
    snippet: SafeString


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> SafeString:
    """The text around the first term of ``query``, every term marked."""
    words = sorted(set(terms(query)), key=len, reverse=True)
    flat = " ".join((text or "").split())
    lower = flat.lower()
    first = min((i for w in words if (i := lower.find(w.lower())) >= 0), default=0)
    start = max(0, first - width)
    end = min(len(flat), first + width * 2)
    piece = flat[start:end]
    if not words:
        return mark_safe(escape(piece))  # noqa: S308 - escaped
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(piece):
        out.append(escape(piece[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(piece[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every part escaped
