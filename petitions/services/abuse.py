"""Abuse resistance of the public form and the progress page.

Each refusal is a ``SubmissionRefused`` (a ``ValidationError``) with a translated message and
a ``code``: ``honeypot``, ``blocked``, ``rate`` or ``duplicate``. Nothing here writes a case;
``cases.petition_submit`` runs the checks before it saves anything.
"""

from __future__ import annotations

import hashlib
import math
import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Func, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import blocklist, ratelimit

from ..choices import PetitionStatus
from ..models import BlockRule, Petition


class SubmissionRefused(ValidationError):
    """An abuse rule refused the submission; ``code`` says which (honeypot, blocked, rate,
    duplicate)."""


# --- Honeypot and block list -------------------------------------------------------------------


def check_honeypot(value: str) -> None:
    if value:
        raise SubmissionRefused(
            _("Your petition could not be accepted because it looks automatically generated."),
            code="honeypot",
        )


def blocked_reason(*, email: str = "", ip: str | None = None) -> str | None:
    """Which active block rule matches, as its kind, or None."""
    rules = BlockRule.objects.filter(active=True).only("kind", "value")
    return blocklist.matching_kind(rules, email=email, ip=ip)


def check_blocked(*, email: str, ip: str | None) -> None:
    if blocked_reason(email=email, ip=ip):
        raise SubmissionRefused(
            _(
                "Petitions from this e-mail address or network are not accepted. If you think "
                "this is a mistake, please call the ministry's service line."
            ),
            code="blocked",
        )


# --- Rate limits (fixed windows in the cache: core.ratelimit) ------------------------------------
# When the cache is unreachable every check here allows the request and logs a warning (the
# limits are a brake on abuse, not a reason to turn citizens away); see core.ratelimit for the
# timeouts and its circuit breaker.


def check_submission_rate(*, email: str, ip: str | None) -> None:
    """Per IP and per e-mail address (its SHA-256 as the key), ``PETITIONS_RATE_*``."""
    if not settings.PETITIONS_RATE_LIMIT_ENABLED:
        return
    window = settings.PETITIONS_RATE_WINDOW_SECONDS
    minutes = max(1, window // 60)
    if ip and not ratelimit.hit(
        "petitions:rate:ip:" + ip, limit=settings.PETITIONS_RATE_PER_IP, window=window
    ):
        raise SubmissionRefused(
            _(
                "Too many petitions have been sent from your network recently. Please try again "
                "in %(minutes)d minutes."
            ),
            code="rate",
            params={"minutes": minutes},
        )
    key = "petitions:rate:email:" + hashlib.sha256(email.lower().encode()).hexdigest()
    if not ratelimit.hit(key, limit=settings.PETITIONS_RATE_PER_EMAIL, window=window):
        raise SubmissionRefused(
            _(
                "You have sent several petitions from this e-mail address recently. Please try "
                "again in %(minutes)d minutes."
            ),
            code="rate",
            params={"minutes": minutes},
        )


def check_resend_rate(*, email: str, ip: str | None, case_number: str = "") -> None:
    """Asking for a link or a code again: ``PETITIONS_RESEND_PER_EMAIL`` per address (and per
    case number) and ``PETITIONS_RESEND_PER_IP`` per network in
    ``PETITIONS_RESEND_WINDOW_SECONDS``; ``SubmissionRefused`` (code ``rate``) beyond."""
    if not settings.PETITIONS_RATE_LIMIT_ENABLED:
        return
    window = settings.PETITIONS_RESEND_WINDOW_SECONDS
    per_email = settings.PETITIONS_RESEND_PER_EMAIL
    keys = [("petitions:resend:ip:" + ip, settings.PETITIONS_RESEND_PER_IP)] if ip else []
    keys.append(
        ("petitions:resend:email:" + hashlib.sha256(email.lower().encode()).hexdigest(), per_email)
    )
    if case_number:
        keys.append(("petitions:resend:case:" + case_number[:40], per_email))
    for key, limit in keys:
        if not ratelimit.hit(key, limit=limit, window=window):
            raise SubmissionRefused(
                _(
                    "You have asked for this several times recently. Please check your e-mail "
                    "(also the spam folder) and try again in %(minutes)d minutes."
                ),
                code="rate",
                params={"minutes": max(1, window // 60)},
            )


# Progress-page look-ups. Nothing here ever locks a case: guessing is slowed down per address
# (a growing delay after PETITIONS_LOOKUP_PER_IP failures) and, once a case number has had
# PETITIONS_LOOKUP_PER_CASE failed look-ups in the window, opening it also takes the e-mail
# address the petition was sent from - which its owner knows and a guesser does not.


def _ip_keys(ip: str) -> tuple[str, str]:
    return "petitions:lookup:ipfail:" + ip, "petitions:lookup:iplast:" + ip


def _case_key(case_number: str) -> str:
    return "petitions:lookup:casefail:" + case_number[:20]


def lookup_delay(failures: int) -> float:
    """Seconds an address waits after its last failed look-up once it has ``failures``."""
    over = failures - settings.PETITIONS_LOOKUP_PER_IP
    if over < 0:
        return 0.0
    seconds = settings.PETITIONS_LOOKUP_DELAY_SECONDS * 2 ** min(over, 30)
    return float(min(seconds, settings.PETITIONS_LOOKUP_DELAY_MAX_SECONDS))


def check_lookup_rate(*, ip: str | None, case_number: str = "") -> None:
    """Refuse (code ``rate``) while the address's delay runs; see ``lookup_delay``."""
    if not settings.PETITIONS_RATE_LIMIT_ENABLED or not ip:
        return
    count_key, last_key = _ip_keys(ip)
    values = ratelimit.get_many([count_key, last_key])
    delay = lookup_delay(int(values.get(count_key) or 0))
    wait = float(values.get(last_key) or 0) + delay - time.time()
    if delay and wait > 0:
        raise SubmissionRefused(
            _("Too many attempts. Please wait %(seconds)d seconds and try again."),
            code="rate",
            params={"seconds": max(1, math.ceil(wait))},
        )


def lookup_proof_required(*, case_number: str) -> bool:
    """Whether opening this case number also takes the sender's e-mail address."""
    if not settings.PETITIONS_RATE_LIMIT_ENABLED or not case_number:
        return False
    key = _case_key(case_number)
    failures = int(ratelimit.get_many([key]).get(key) or 0)
    return failures >= settings.PETITIONS_LOOKUP_PER_CASE


def lookup_failure_record(*, ip: str | None, case_number: str) -> None:
    """Count a failed look-up for the address and for the case number."""
    if not settings.PETITIONS_RATE_LIMIT_ENABLED:
        return
    window = settings.PETITIONS_LOOKUP_WINDOW_SECONDS
    if ip:
        count_key, last_key = _ip_keys(ip)
        ratelimit.hit(count_key, limit=0, window=window)
        ratelimit.set_value(last_key, time.time(), timeout=window)
    if case_number:
        ratelimit.hit(_case_key(case_number), limit=0, window=window)


# --- Near-duplicates -----------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """NFKC, lower case, letters and digits only (spaces and punctuation removed): the
    fingerprint compared for near-duplicates."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def shingles(text: str, size: int = 3) -> set[str]:
    if len(text) <= size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


class _TrigramMatch(Func):
    """``a % b`` (pg_trgm): true when the similarity is at least ``pg_trgm.similarity_threshold``
    (0.3 by default). It is what the GIN trigram index answers."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# pg_trgm's default ``similarity_threshold``: the ``%`` pre-filter is only added when the
# duplicate threshold is at least this (leave the server's setting at its default).
PG_TRGM_DEFAULT_THRESHOLD = 0.3


def similar_petition(*, email: str, fingerprint: str) -> Petition | None:
    """A recent petition of the same sender whose text is nearly the same.

    Only the sender's own recent cases are compared (case-insensitive e-mail, last
    ``PETITIONS_DUPLICATE_DAYS``; PostgreSQL serves this by the ``UPPER(citizen_email),
    created_at`` index of migration 0004). On PostgreSQL the text is compared with pg_trgm:
    the ``%`` operator (GIN trigram index ``petitions_fingerprint_trgm``) as a pre-filter and
    ``similarity() >= threshold`` as the rule; elsewhere 3-character shingles and Jaccard on
    at most 50 recent cases. One query either way."""
    if not fingerprint:
        return None
    threshold = settings.PETITIONS_DUPLICATE_THRESHOLD
    since = timezone.now() - timedelta(days=settings.PETITIONS_DUPLICATE_DAYS)
    recent = (
        Petition.objects.filter(citizen_email__iexact=email, created_at__gte=since)
        .exclude(status__in=[PetitionStatus.REJECTED, PetitionStatus.MERGED])
        .order_by("-created_at")
    )
    if connection.vendor == "postgresql":
        if threshold >= PG_TRGM_DEFAULT_THRESHOLD:
            recent = recent.filter(_TrigramMatch(F("body_fingerprint"), Value(fingerprint)))
        return (
            recent.annotate(similarity=TrigramSimilarity("body_fingerprint", fingerprint))
            .filter(similarity__gte=threshold)
            .only("id", "case_number", "status", "submission_key")
            .first()
        )
    fields = ("id", "body_fingerprint", "case_number", "status", "submission_key")
    for candidate in recent.only(*fields)[:50]:
        if jaccard(candidate.body_fingerprint, fingerprint) >= threshold:
            return candidate
    return None


def check_duplicate(
    *, email: str, fingerprint: str, submission_key: str | None = None
) -> Petition | None:
    """Refuse a near-duplicate of the sender's recent petition (``SubmissionRefused``), except
    the same submission sent again (same ``submission_key``: a double click, a resent form),
    which is returned so the caller answers as the first time. None: nothing similar."""
    duplicate = similar_petition(email=email, fingerprint=fingerprint)
    if duplicate is not None and submission_key and duplicate.submission_key == submission_key:
        return duplicate
    if duplicate is not None:
        raise SubmissionRefused(
            _(
                "You have already sent us a petition with nearly the same text (case %(case)s). "
                "Please follow that case instead of sending it again."
            ),
            code="duplicate",
            params={"case": duplicate.case_number or _("waiting for your confirmation")},
        )
    return None
