"""Writes of the public side: submit, confirm, look up a case, answer the survey.

Abuse checks (honeypot, block list, rate limits, near-duplicates) run before anything is saved;
each refusal is a ``SubmissionRefused`` (a ``ValidationError``) with a translated message.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Func, Value
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from documents.models import roc_year
from documents.validators import GIF, JPEG, PDF, PNG, check_attachment

from ..choices import ANSWERED_STATUSES, BlockRuleKind, PetitionSource, PetitionStatus
from ..constants import (
    CONFIRMATION_HOURS,
    MAX_CASE_SERIAL,
    MAX_PUBLIC_ATTACHMENT_BYTES,
    MAX_PUBLIC_ATTACHMENTS,
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
)
from ..models import (
    Attachment,
    BlockRule,
    CaseCounter,
    Petition,
    SatisfactionSurvey,
    StatusEvent,
)

logger = logging.getLogger(__name__)

PUBLIC_CONTENT_TYPES = {PDF, PNG, JPEG, GIF}


class SubmissionRefused(ValidationError):
    """An abuse rule refused the submission; ``code`` says which (honeypot, blocked, rate,
    duplicate)."""


# --- Settings (read per call, never at import) -------------------------------------------------


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attachment_bytes() -> int:
    return int(_setting("PETITIONS_MAX_ATTACHMENT_BYTES", MAX_PUBLIC_ATTACHMENT_BYTES))


# --- Tokens --------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """SHA-256 of a random URL token. The tokens carry 256 bits of entropy, so a fast hash is
    enough; the database never holds a usable link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(QUERY_CODE_LENGTH))


def normalise_query_code(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "")).upper()


# --- Abuse resistance ----------------------------------------------------------------------------


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


def _ip_in(ip: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def blocked_reason(*, email: str = "", ip: str | None = None) -> str | None:
    """Which active block rule matches, as its kind, or None."""
    email = (email or "").strip().lower()
    domain = email.rpartition("@")[2]
    for rule in BlockRule.objects.filter(active=True).only("kind", "value"):
        if rule.kind == BlockRuleKind.EMAIL and email and rule.value == email:
            return rule.kind
        if (
            rule.kind == BlockRuleKind.DOMAIN
            and domain
            and (domain == rule.value or domain.endswith("." + rule.value))
        ):
            return rule.kind
        if rule.kind == BlockRuleKind.IP and ip and _ip_in(ip, rule.value):
            return rule.kind
    return None


def _hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event in a fixed window; True while within ``limit``."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def rate_limit_enabled() -> bool:
    return bool(_setting("PETITIONS_RATE_LIMIT_ENABLED", True))


def check_submission_rate(*, email: str, ip: str | None) -> None:
    if not rate_limit_enabled():
        return
    window = int(_setting("PETITIONS_RATE_WINDOW_SECONDS", 3600))
    minutes = max(1, window // 60)
    if ip and not _hit(
        "petitions:rate:ip:" + ip, limit=int(_setting("PETITIONS_RATE_PER_IP", 10)), window=window
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
    if not _hit(key, limit=int(_setting("PETITIONS_RATE_PER_EMAIL", 5)), window=window):
        raise SubmissionRefused(
            _(
                "You have sent several petitions from this e-mail address recently. Please try "
                "again in %(minutes)d minutes."
            ),
            code="rate",
            params={"minutes": minutes},
        )


def check_lookup_rate(*, ip: str | None, case_number: str) -> None:
    """Against guessing query codes: per IP and per case number, failed or not."""
    if not rate_limit_enabled():
        return
    window = int(_setting("PETITIONS_LOOKUP_WINDOW_SECONDS", 900))
    limit = int(_setting("PETITIONS_LOOKUP_PER_IP", 20))
    per_case = int(_setting("PETITIONS_LOOKUP_PER_CASE", 10))
    ok = True
    if ip:
        ok = _hit("petitions:lookup:ip:" + ip, limit=limit, window=window)
    if ok and case_number:
        ok = _hit("petitions:lookup:case:" + case_number[:20], limit=per_case, window=window)
    if not ok:
        raise SubmissionRefused(
            _("Too many attempts. Please wait %(minutes)d minutes and try again."),
            code="rate",
            params={"minutes": max(1, window // 60)},
        )


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
    threshold = float(_setting("PETITIONS_DUPLICATE_THRESHOLD", 0.8))
    since = timezone.now() - timedelta(days=int(_setting("PETITIONS_DUPLICATE_DAYS", 30)))
    recent = (
        Petition.objects.filter(citizen_email__iexact=email, created_at__gte=since)
        .exclude(status__in=[PetitionStatus.REJECTED, PetitionStatus.MERGED])
        .order_by("-created_at")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        if threshold >= PG_TRGM_DEFAULT_THRESHOLD:
            recent = recent.filter(_TrigramMatch(F("body_fingerprint"), Value(fingerprint)))
        return (
            recent.annotate(similarity=TrigramSimilarity("body_fingerprint", fingerprint))
            .filter(similarity__gte=threshold)
            .only("id", "case_number", "status")
            .first()
        )
    for candidate in recent.only("id", "body_fingerprint", "case_number", "status")[:50]:
        if jaccard(candidate.body_fingerprint, fingerprint) >= threshold:
            return candidate
    return None


# --- Submit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    file: object
    checked: object


def check_public_attachments(files) -> list[Upload]:
    """Up to three files, each an image (PNG, JPEG, GIF) or a PDF by its bytes, within the size
    limit, with an extension that matches. Errors name each file."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PUBLIC_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d files can be attached.")
                % {"count": MAX_PUBLIC_ATTACHMENTS}
            }
        )
    limit = max_attachment_bytes()
    errors, checked = [], []
    for upload in files:
        name = getattr(upload, "name", "")
        if (upload.size or 0) > limit:
            errors.append(
                _("The file %(name)s is %(size)s; the largest allowed is %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
            continue
        try:
            result = check_attachment(upload)
        except ValidationError as exc:
            errors.append(
                _(
                    "The file %(name)s is not a PNG, JPEG or GIF image or a PDF, or its extension "
                    "does not match its content."
                )
                % {"name": name}
            )
            logger.info("petition attachment refused: %s", exc.messages)
            continue
        if result.content_type not in PUBLIC_CONTENT_TYPES:
            errors.append(
                _(
                    "The file %(name)s is not a PNG, JPEG or GIF image or a PDF, or its extension "
                    "does not match its content."
                )
                % {"name": name}
            )
            continue
        checked.append(Upload(file=upload, checked=result))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def petition_submit(
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    category,
    county,
    consent: bool,
    phone: str = "",
    attachments=(),
    ip: str | None = None,
    honeypot: str = "",
    base_url: str = "",
    language: str | None = None,
) -> Petition:
    """Save a web petition waiting for e-mail confirmation and mail the confirmation link.

    Refusals, in this order: honeypot filled, blocked sender, rate limit, near-duplicate of the
    sender's recent petition. Nothing is saved when anything is refused."""
    email = (email or "").strip()
    if honeypot:
        raise SubmissionRefused(
            _("Your petition could not be accepted because it looks automatically generated."),
            code="honeypot",
        )
    if blocked_reason(email=email, ip=ip):
        raise SubmissionRefused(
            _(
                "Petitions from this e-mail address or network are not accepted. If you think "
                "this is a mistake, please call the ministry's service line."
            ),
            code="blocked",
        )
    if not consent:
        raise ValidationError(
            {
                "consent": _(
                    "Please agree to the privacy notice so that we can handle your petition."
                )
            }
        )
    checked = check_public_attachments(attachments)
    check_submission_rate(email=email, ip=ip)
    fingerprint = normalise_text(subject + "\n" + body)
    duplicate = similar_petition(email=email, fingerprint=fingerprint)
    if duplicate is not None:
        raise SubmissionRefused(
            _(
                "You have already sent us a petition with nearly the same text (case %(case)s). "
                "Please follow that case instead of sending it again."
            ),
            code="duplicate",
            params={"case": duplicate.case_number or _("waiting for your confirmation")},
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        petition = Petition(
            source=PetitionSource.WEB,
            status=PetitionStatus.PENDING_CONFIRMATION,
            citizen_name=(name or "").strip(),
            citizen_email=email,
            citizen_phone=(phone or "").strip(),
            subject=(subject or "").strip(),
            body=body or "",
            category=category,
            county=county,
            consent=True,
            consent_at=now,
            confirmation_token_hash=token_hash(token),
            confirmation_expires_at=now + timedelta(hours=CONFIRMATION_HOURS),
            submitter_ip=ip,
            body_fingerprint=fingerprint,
        )
        # Every field is validated. Not repeated here: the existence queries of the two foreign
        # keys (the form has just loaded both objects) and the queries validating the model's
        # constraints (they concern status, case number and merge target, which this code sets
        # to constants; the database enforces them anyway and the block rolls back whole).
        petition.full_clean(exclude=["category", "county"], validate_constraints=False)
        petition.save()
        for item in checked:
            attachment = Attachment(
                petition=petition,
                original_name=item.checked.name[:200],
                content_type=item.checked.content_type,
                size=item.checked.size,
                sha256=item.checked.sha256,
            )
            attachment.file.save(item.checked.name, item.file, save=False)
            attachment.full_clean()
            attachment.save()
        link = base_url.rstrip("/") + "/petitions/confirm/" + token + "/"
        _mail_after_commit(
            petition=petition,
            template="petitions/emails/confirm",
            context={"link": link, "hours": CONFIRMATION_HOURS},
            language=language,
        )
    return petition


def _mail_after_commit(*, petition: Petition, template: str, context: dict, language=None):
    from ..public_tasks import send_citizen_mail

    ctx = {"petition": petition, **context}
    with override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(template + "_subject.txt", ctx).split())
        body = render_to_string(template + ".txt", ctx)
    to = petition.citizen_email
    transaction.on_commit(lambda: send_citizen_mail.delay(to=to, subject=subject, body=body))


# --- Confirm -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    petition: Petition
    already: bool  # the link had been used before: nothing changed, nothing sent


def allocate_case_number(*, year: int) -> int:
    """Next serial of the ROC year, inside the caller's transaction (row lock, no gaps)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_case_number() must be called inside transaction.atomic()")
    CaseCounter.objects.bulk_create(
        [CaseCounter(roc_year=year, last_serial=0)], ignore_conflicts=True
    )
    counter = CaseCounter.objects.select_for_update().get(roc_year=year)
    serial = counter.last_serial + 1
    if serial > MAX_CASE_SERIAL:
        raise ValidationError(
            _("Every case number of year %(year)s is used."), params={"year": year}
        )
    CaseCounter.objects.filter(pk=counter.pk).update(last_serial=serial)
    return serial


def format_case_number(*, year: int, serial: int) -> str:
    return f"{year:03d}-{serial:06d}"


def petition_confirm(
    *, token: str, base_url: str = "", language: str | None = None
) -> Confirmation:
    """Confirm by the e-mailed link: number the case, make its query code, mail both.

    A second use of the link changes nothing (``already=True``); an unknown or expired link is
    a ``ValidationError``."""
    digest = token_hash(token or "")
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update().filter(confirmation_token_hash=digest).first()
        )
        if petition is None or not token:
            raise ValidationError(
                _(
                    "This confirmation link is not valid. Please copy the whole link from "
                    "the e-mail."
                ),
                code="invalid",
            )
        if petition.status != PetitionStatus.PENDING_CONFIRMATION:
            return Confirmation(petition=petition, already=True)
        if petition.confirmation_expires_at and petition.confirmation_expires_at < timezone.now():
            raise ValidationError(
                _(
                    "This confirmation link has expired (links are valid for %(hours)d hours). "
                    "Please send your petition again."
                ),
                code="expired",
                params={"hours": CONFIRMATION_HOURS},
            )
        now = timezone.now()
        year = roc_year(timezone.localdate(now))
        serial = allocate_case_number(year=year)
        code = new_query_code()
        petition.roc_year = year
        petition.serial = serial
        petition.case_number = format_case_number(year=year, serial=serial)
        petition.query_code_hash = make_password(code)
        petition.status = PetitionStatus.RECEIVED
        petition.confirmed_at = now
        petition.full_clean()
        petition.save()
        StatusEvent.objects.create(petition=petition, status=PetitionStatus.RECEIVED)
        _mail_after_commit(
            petition=petition,
            template="petitions/emails/case_number",
            context={
                "query_code": code,
                "link": base_url.rstrip("/") + "/petitions/progress/",
            },
            language=language,
        )
        from ..public_tasks import register_confirmed

        petition_id = petition.pk
        transaction.on_commit(lambda: register_confirmed.delay(petition_id=petition_id))
    return Confirmation(petition=petition, already=False)


def petition_hand_over(*, petition_id: int) -> bool:
    """Give a confirmed case to the staff side (registration in documents, routing, deadline)
    when that side's service exists. Returns whether it was handed over."""
    try:
        from . import staff
    except ImportError:
        staff = None
    register = getattr(staff, "petition_register_confirmed", None)
    if register is None:
        logger.warning("petitions.services.staff.petition_register_confirmed is missing")
        return False
    petition = Petition.objects.get(pk=petition_id)
    register(petition=petition)
    return True


# --- Look up -------------------------------------------------------------------------------------

_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password(new_query_code())
    return _DUMMY_HASH


def petition_lookup(*, case_number: str, query_code: str, ip: str | None = None) -> Petition:
    """The case whose number and query code both match; else one message that does not say
    which was wrong. Rate-limited per IP and per case number; the code is compared with the
    password hasher (constant time), also when the case does not exist."""
    case_number = (case_number or "").strip()
    check_lookup_rate(ip=ip, case_number=case_number)
    petition = (
        Petition.objects.confirmed().filter(case_number=case_number).first()
        if case_number
        else None
    )
    encoded = petition.query_code_hash if petition and petition.query_code_hash else _dummy_hash()
    matches = check_password(normalise_query_code(query_code), encoded)
    if petition is None or not matches or petition.anonymised_at:
        raise ValidationError(
            _("The case number and query code do not match any case. Please check both."),
            code="no_match",
        )
    return petition


# --- Survey --------------------------------------------------------------------------------------


def petition_survey_invite(*, petition: Petition, base_url: str = "", language=None) -> str:
    """Make the survey link of an answered case and mail it (call after the reply is sent).
    Returns the token (for tests); a new invitation replaces the old link."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(survey_token_hash=token_hash(token))
        petition.survey_token_hash = token_hash(token)
        _mail_after_commit(
            petition=petition,
            template="petitions/emails/survey",
            context={"link": base_url.rstrip("/") + "/petitions/survey/" + token + "/"},
            language=language,
        )
    return token


def petition_by_survey_token(*, token: str) -> Petition:
    petition = (
        Petition.objects.filter(survey_token_hash=token_hash(token or "")).first()
        if token
        else None
    )
    if petition is None:
        raise ValidationError(_("This survey link is not valid."), code="invalid")
    return petition


def survey_submit(*, petition: Petition, rating: int, comment: str = "") -> SatisfactionSurvey:
    """One answer per case, for answered cases only."""
    if petition.status not in ANSWERED_STATUSES:
        raise ValidationError(_("The survey opens when your case has been answered."), code="early")
    if SatisfactionSurvey.objects.filter(petition=petition).exists():
        raise ValidationError(
            _("This case's survey has already been answered. Thank you!"), code="done"
        )
    survey = SatisfactionSurvey(petition=petition, rating=rating, comment=comment or "")
    survey.full_clean(exclude=["petition"])
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This case's survey has already been answered. Thank you!"), code="done"
        ) from exc
    return survey
