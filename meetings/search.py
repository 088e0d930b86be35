"""Search over every meeting's text: the index rows and the query.

Chinese has no spaces between words, so a word index of the usual kind finds nothing inside a
sentence. The choice here: **overlapping CJK bigrams plus lower-cased English words**, computed
in Python (``tokenize``) and stored beside the text in ``SearchEntry.tokens``:

- 勞動基準法 → ``勞動 動基 基準 準法``; "Labor Standards Act" → ``labor standards act``;
- a query is tokenised the same way: every bigram and English word (as a prefix) ANDed, and
  each CJK run as a phrase (基準法 matches only where 基準 is followed by 準法);
- PostgreSQL answers the AND from a GIN index on a stored ``tsvector`` column the database
  generates from ``tokens`` (migration 0004; the ``simple`` configuration keeps each token as
  it is) *exactly*, with no recheck of the rows; the phrase is then checked as a substring of
  ``tokens`` on the first candidates in the page's order only (``newest``), so a common
  subject's thousands of matches are never read from TOAST.
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
    """A to_tsquery('simple', …) text for ``query``; '' when it has no searchable term.

    Every term is ANDed, the bigrams of a CJK run too: no phrase operator (``<->``), so the GIN
    index answers exactly (a phrase query makes PostgreSQL recheck each candidate row against
    its stored vector, read from TOAST: 2,600 candidates of a common subject took 150–800 ms).
    The order of the bigrams is checked afterwards on the few rows shown (``phrases``)."""
    parts = []
    for run in _runs(query):
        if _IS_CJK.match(run):
            if len(run) == 1:
                parts.append(f"{run}:*")
            else:
                parts.extend(_bigrams(run))
        else:
            parts.append(f"{run.lower()}:*")
    return " & ".join(parts)


def phrases(query: str) -> list[str]:
    """The token sequences (``勞資 資爭 爭議``) that the ``tokens`` of a row must contain for
    each CJK run of three or more characters: the bigrams in their order. Tokens are one or two
    ideographs separated by spaces, so a substring match is a match of whole tokens."""
    return [" ".join(_bigrams(run)) for run in _runs(query) if _IS_CJK.match(run) and len(run) > 2]


def terms(query: str) -> list[str]:
    return _runs(query)


def matching(rows: QuerySet[SearchEntry], query: str) -> QuerySet[SearchEntry]:
    """``rows`` whose text contains every term of ``query`` (each CJK run as a phrase)."""
    words = terms(query)
    if not words:
        return rows.none()
    if connection.vendor == "postgresql":
        rows = rows.extra(
            where=["meetings_searchentry.vector @@ to_tsquery('simple', %s)"],
            params=[_tsquery(query)],
        )
        for phrase in phrases(query):
            rows = rows.filter(tokens__contains=phrase)
        return rows
    q = Q()
    for word in words:
        q &= Q(title__icontains=word) | Q(text__icontains=word)
    return rows.filter(q)


#: Candidates ordered before the phrase check, at first (doubled while too few pass).
CANDIDATES = 200


def newest(
    rows: QuerySet[SearchEntry], query: str, *, order, limit: int, related=()
) -> list[SearchEntry]:
    """The first ``limit`` rows of ``rows`` matching ``query`` in ``order``.

    On PostgreSQL in two steps, so no row outside the page is read from TOAST: the exact
    index query (every bigram and word ANDed) orders the candidates by heap columns only
    (``day``, ``kind``, ``id``) and keeps the first ``CANDIDATES``; only those are checked for
    the phrases (``tokens`` contains the bigrams in order) and the first ``limit`` loaded (with
    ``related``). When fewer than ``limit`` pass and there were more candidates, the next round
    takes four times as many."""
    words = terms(query)
    if not words:
        return []
    if connection.vendor != "postgresql" or not phrases(query):
        return list(matching(rows, query).select_related(*related).order_by(*order)[:limit])
    candidates = rows.extra(
        where=["meetings_searchentry.vector @@ to_tsquery('simple', %s)"],
        params=[_tsquery(query)],
    ).order_by(*order)
    size = CANDIDATES
    while True:
        ids = list(candidates.values_list("pk", flat=True)[:size])
        found = SearchEntry.objects.filter(pk__in=ids)
        for phrase in phrases(query):
            found = found.filter(tokens__contains=phrase)
        found = list(found.select_related(*related).order_by(*order)[:limit])
        if len(found) >= limit or len(ids) < size:
            return found[:limit]
        size *= 4


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
