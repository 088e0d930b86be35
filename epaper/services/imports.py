"""CSV import of existing subscribers (the ministry's current lists), by an e-paper manager.

The file (UTF-8, with or without BOM; Big5/CP950 as Excel in Taiwan saves it is read too) has a
header row with these columns, in any order (names without case; other columns are ignored and
named in the report):

==============  ========  ====================================================================
column          required  content
==============  ========  ====================================================================
email           yes       the address (normalised like the subscription form's, lower case)
newsletters     yes       newsletter codes separated by ``;`` (``weekly;statistics``)
language        no        ``zh-hant`` (also ``zh``, ``zh-tw``, ``中文``) or ``en``; default zh-hant
subscribed_at   no        when the person subscribed in the old system: ``2024-05-01`` or
                          ``2024-05-01 09:30`` (also with ``/``), Asia/Taipei; default: now
==============  ========  ====================================================================

Rules: a row with a bad address, no or unknown newsletter codes, an unknown language or a bad
or future date is rejected (the others are imported). An address seen again in the same file
is merged into its first row; an address already known gets the lists it lacks. Imported
subscriptions are confirmed (the old system had their consent), with
``consent_source``/``source`` ``import:<source>``; a list the address had left is never
subscribed again by an import, and the subscriber's state (disabled by bounces) is kept.
Everything is recorded in an ``ImportBatch``: who, when, the source, the counts and a report
line per row that was rejected, merged or changed nothing (addresses masked).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.masking import mask_email
from core.text import clean_line

from ..models import (
    ImportBatch,
    Newsletter,
    Subscriber,
    Subscription,
    SubscriptionState,
)
from .privacy import may_manage_subscribers
from .subscriptions import subscriber_email

COLUMNS = ("email", "newsletters", "language", "subscribed_at")
REQUIRED = ("email", "newsletters")
LANGUAGES = {
    "": "zh-hant",
    "zh": "zh-hant",
    "zh-hant": "zh-hant",
    "zh-tw": "zh-hant",
    "zh_tw": "zh-hant",
    "zh-hant-tw": "zh-hant",
    "中文": "zh-hant",
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "english": "en",
}
CHUNK = 1000
#: Longest source kept in ``consent_source`` / ``Subscription.source`` after ``import:``.
SOURCE_KEPT = 40 - len("import:")


@dataclass
class _Row:
    number: int
    email: str
    codes: list[str]
    language: str
    subscribed_at: datetime
    merged_rows: list[int] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        {"file": [_("The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8).")]}
    )


def _parse_time(value: str, now: datetime) -> datetime:
    value = value.strip().replace("/", "-")
    if not value:
        return now
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.combine(day, time(0, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _rows(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError({"file": [_("The file is empty.")]}) from None
    except csv.Error as exc:
        raise ValidationError({"file": [_("The file is not valid CSV.")]}) from exc
    names = [clean_line(name).lower().replace(" ", "_") for name in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("The header row lacks the column(s) %(columns)s (it needs %(needed)s).")
                    % {"columns": ", ".join(missing), "needed": ", ".join(COLUMNS)}
                ]
            }
        )
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                rows.append(None)  # a blank line keeps its number
                continue
            rows.append(dict(zip(names, values, strict=False)))
            if len(rows) > settings.EPAPER_IMPORT_MAX_ROWS:
                raise ValidationError(
                    {
                        "file": [
                            _("The file has more than %(max)d rows: split it.")
                            % {"max": settings.EPAPER_IMPORT_MAX_ROWS}
                        ]
                    }
                )
    except csv.Error as exc:
        raise ValidationError(
            {"file": [_("The file is not valid CSV (line %(line)d).") % {"line": reader.line_num}]}
        ) from exc
    return names, rows


def subscribers_import(*, data: bytes, source: str, actor, file_name: str = "") -> ImportBatch:
    """Import the CSV ``data`` (see the module docstring) and return its ``ImportBatch``.

    ``PermissionDenied`` unless ``actor`` is an e-paper manager; ``ValidationError`` (on
    ``file`` or ``source``) when the file cannot be read at all, in which case nothing is
    imported or recorded."""
    if not may_manage_subscribers(actor):
        raise PermissionDenied(_("Only e-paper managers may do this."))
    source = clean_line(source)[:100]
    if not source:
        raise ValidationError({"source": [_("Say where the list comes from.")]})
    if len(data) > settings.EPAPER_IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    names, raw_rows = _rows(_decode(data))
    now = timezone.now()
    newsletters = {n.code: n for n in Newsletter.objects.all()}
    report: list[dict] = []
    ignored = [n for n in names if n and n not in COLUMNS]
    if ignored:
        report.append(
            {
                "row": 1,
                "status": "note",
                "messages": [
                    _("Columns ignored: %(columns)s.") % {"columns": ", ".join(ignored[:20])}
                ],
            }
        )
    accepted: dict[str, _Row] = {}
    rejected = 0
    total = 0
    for index, raw in enumerate(raw_rows, start=2):
        if raw is None:
            continue
        total += 1
        problems = []
        email = subscriber_email((raw.get("email") or "")[:400])
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_("not a valid e-mail address"))
        codes = []
        for code in (raw.get("newsletters") or "").split(";"):
            code = clean_line(code).lower()
            if code and code not in codes:
                codes.append(code)
        unknown = [code for code in codes if code not in newsletters]
        if not codes:
            problems.append(_("no newsletter codes"))
        elif unknown:
            problems.append(
                _("unknown newsletter code(s): %(codes)s")
                % {"codes": ", ".join(c[:40] for c in unknown[:10])}
            )
        language = LANGUAGES.get(clean_line(raw.get("language") or "").lower())
        if language is None:
            problems.append(_("unknown language (use zh-hant or en)"))
        try:
            subscribed_at = _parse_time(raw.get("subscribed_at") or "", now)
            if subscribed_at > now:
                problems.append(_("subscribed_at lies in the future"))
        except ValueError:
            subscribed_at = now
            problems.append(_("subscribed_at is not a date (use 2024-05-01 or 2024-05-01 09:30)"))
        if problems:
            rejected += 1
            report.append(
                {
                    "row": index,
                    "email": mask_email(email) if "@" in email else "",
                    "status": "rejected",
                    "messages": problems,
                }
            )
            continue
        first = accepted.get(email)
        if first is not None:
            first.codes += [code for code in codes if code not in first.codes]
            first.subscribed_at = min(first.subscribed_at, subscribed_at)
            first.merged_rows.append(index)
            report.append(
                {
                    "row": index,
                    "email": mask_email(email),
                    "status": "duplicate",
                    "messages": [
                        _("same address as row %(row)d: merged into it") % {"row": first.number}
                    ],
                }
            )
            continue
        accepted[email] = _Row(index, email, codes, language, subscribed_at)

    kept_source = "import:" + source[:SOURCE_KEPT]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source, file_name=clean_line(file_name)[:200], created_by=actor
        )
        created = merged = 0
        rows = list(accepted.values())
        for start in range(0, len(rows), CHUNK):
            c, m = _import_chunk(
                rows[start : start + CHUNK],
                batch=batch,
                newsletters=newsletters,
                source=kept_source,
                report=report,
            )
            created += c
            merged += m
        report.sort(key=lambda item: item["row"])
        batch.rows = total
        batch.created = created
        batch.merged = merged
        batch.rejected = rejected
        batch.report = report
        batch.save(update_fields=["rows", "created", "merged", "rejected", "report"])
    return batch


def _import_chunk(rows: list[_Row], *, batch, newsletters, source: str, report: list) -> tuple:
    existing = {
        s.email: s
        for s in Subscriber.objects.select_for_update().filter(email__in=[r.email for r in rows])
    }
    new = [
        Subscriber(
            email=row.email,
            language=row.language,
            consented_at=row.subscribed_at,
            consent_source=source,
            import_batch=batch,
        )
        for row in rows
        if row.email not in existing
    ]
    Subscriber.objects.bulk_create(new)
    subscribers = {
        s.email: s
        for s in Subscriber.objects.filter(email__in=[r.email for r in rows]).only("id", "email")
    }
    current = {
        (s.subscriber_id, s.newsletter_id): s
        for s in Subscription.objects.select_for_update().filter(
            subscriber__in=list(subscribers.values())
        )
    }
    to_create, to_confirm = [], []
    for row in rows:
        subscriber = subscribers[row.email]
        known = row.email in existing
        notes = []
        added = 0
        for code in row.codes:
            newsletter = newsletters[code]
            subscription = current.get((subscriber.pk, newsletter.pk))
            if subscription is None:
                to_create.append(
                    Subscription(
                        subscriber=subscriber,
                        newsletter=newsletter,
                        state=SubscriptionState.CONFIRMED,
                        source=source,
                        confirmed_at=row.subscribed_at,
                    )
                )
                added += 1
            elif subscription.state == SubscriptionState.PENDING:
                subscription.state = SubscriptionState.CONFIRMED
                subscription.confirmed_at = row.subscribed_at
                subscription.source = source
                to_confirm.append(subscription)
                added += 1
            elif subscription.state == SubscriptionState.UNSUBSCRIBED:
                notes.append(
                    _("%(code)s: the address left this newsletter; not subscribed again")
                    % {"code": code}
                )
        if known:
            notes.insert(
                0,
                _("already known: %(count)d list(s) added") % {"count": added}
                if added
                else _("already known: nothing to add"),
            )
        if notes:
            report.append(
                {
                    "row": row.number,
                    "email": mask_email(row.email),
                    "status": "merged" if known else "created",
                    "messages": notes,
                }
            )
    Subscription.objects.bulk_create(to_create, ignore_conflicts=True)
    Subscription.objects.bulk_update(to_confirm, ["state", "confirmed_at", "source"])
    return len(new), len(rows) - len(new)
