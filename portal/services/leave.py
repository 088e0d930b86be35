"""Leave requests: make, answer as the deputy, cancel, amend; the sign-off outcome; the
import of opening balances.

``leave_request_create`` checks everything before writing anything, in one transaction:
the type (active), the span (offset given, end after start, not more than
``LEAVE_MAX_DAYS``, hours that fit the type's unit on the working days of ``core.dates``'
calendar), the reason (one line, bidi controls removed), the deputy (an active colleague of
the same unit, from ``selectors.leave.deputy_choices``), the attachment (required by types
that need a document, or, with ``document_after_days``, when the span touches at least that
many working days) and an approval route for the type and length. Then, with the
requester's row locked (``SELECT … FOR UPDATE``: one person's requests are made one at a time)
and, on SQLite, a ``core.locks`` file lock, it refuses an overlap with the person's own held
leave, refuses a deputy whose own held leave overlaps the span (error on ``deputy``), and
charges the balance of each year the span touches with a conditional update
(``used + hours <= granted + carried`` unless the type may go negative) — the database's
check constraint refuses the rest. Two simultaneous requests that together exceed a balance:
one is refused.

The deputy is notified and must accept; then the chain of the type's route starts (the
documents sign-off engine; the route's template is chosen by the number of days). Refusal,
a declining deputy, a cancellation and an amendment return the hours.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.locks import single_flight
from core.sequences import next_value
from core.services import audit_record
from core.text import clean_line
from documents import selectors as documents_selectors
from documents.services import signoff_cancel, signoff_start

from .. import leave_time
from ..choices import LeaveStatus
from ..constants import (
    LEAVE_ATTACHMENT_MAX_BYTES,
    LEAVE_DAY_HOURS,
    LEAVE_MAX_DAYS,
    LEAVE_REASON_MAX,
)
from ..models import LeaveBalance, LeaveRequest, LeaveType
from ..selectors import leave as leave_selectors
from .notices import leave_notify

LOCK_WAIT_SECONDS = 10
ATTACHMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
UNIT_MESSAGES = {
    "day": gettext_lazy("This leave is taken in whole days: from 08:30 to 17:30 of working days."),
    "half_day": gettext_lazy(
        "This leave is taken in half days: start and end at 08:30, 12:30, 13:30 or 17:30."
    ),
    "hour": gettext_lazy("This leave is taken in whole hours."),
}


@contextmanager
def _person_lock(user):
    """SQLite has no row locks: wait for the person's file lock. PostgreSQL: the caller locks
    the person's row."""
    if connection.vendor == "postgresql":
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        with single_flight(f"portal.leave-{user.pk}") as acquired:
            if acquired:
                yield
                return
        if time.monotonic() > deadline:
            raise ValidationError(_("Another request of yours is being made; please try again."))
        time.sleep(0.02)


def _signed_in(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def _check_span(leave_type: LeaveType, start, end) -> dict[dt.date, Decimal]:
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        raise ValidationError({"start": [_("Give the start and the end as date and time.")]})
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": [_("Give the time with its offset (e.g. +08:00).")]})
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if end - start > dt.timedelta(days=LEAVE_MAX_DAYS):
        raise ValidationError(
            {"end": [_("A request covers at most %(days)d days.") % {"days": LEAVE_MAX_DAYS}]}
        )
    per_day = leave_time.hours_by_day(start, end)
    if not per_day:
        raise ValidationError({"start": [_("The span has no working hours.")]})
    problem = leave_time.unit_error(leave_type.unit, start, end, per_day)
    if problem:
        raise ValidationError({"start": [str(UNIT_MESSAGES[problem])]})
    return per_day


def _check_attachment(leave_type: LeaveType, attachment, working_days: int) -> None:
    if not attachment:
        after = leave_type.document_after_days
        if after is None and leave_type.needs_document:
            raise ValidationError(
                {"attachment": [_("This leave needs a document (a certificate); attach it.")]}
            )
        if after is not None and working_days >= after:
            raise ValidationError(
                {
                    "attachment": [
                        _(
                            "%(type)s of %(days)d working days or more needs a document "
                            "(a certificate); attach it."
                        )
                        % {"type": leave_type.name, "days": after}
                    ]
                }
            )
        return
    name = (getattr(attachment, "name", "") or "").lower()
    if not name.endswith(ATTACHMENT_TYPES):
        raise ValidationError({"attachment": [_("Attach a PDF, JPEG or PNG file.")]})
    if getattr(attachment, "size", 0) > LEAVE_ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": [_("The file is larger than 5 MB.")]})


def _clean_reason(reason) -> str:
    value = clean_line(reason if isinstance(reason, str) else "")
    if not value:
        raise ValidationError({"reason": [_("Give the reason for the leave.")]})
    if len(value) > LEAVE_REASON_MAX:
        raise ValidationError(
            {"reason": [_("At most %(max)d characters.") % {"max": LEAVE_REASON_MAX}]}
        )
    return value


def _route(leave_type: LeaveType, hours: Decimal):
    return documents_selectors.chain_template_for(
        purpose=leave_type.chain_purpose, amount=hours / LEAVE_DAY_HOURS
    )


def _balance_for(user, leave_type: LeaveType, year: int) -> LeaveBalance | None:
    balance = LeaveBalance.objects.filter(user=user, leave_type=leave_type, year=year).first()
    if balance is not None:
        return balance
    if leave_type.by_seniority or (not leave_type.annual_days and not leave_type.allow_negative):
        return None
    LeaveBalance.objects.bulk_create(
        [
            LeaveBalance(
                user=user,
                leave_type=leave_type,
                year=year,
                granted_hours=leave_type.annual_days * LEAVE_DAY_HOURS,
                allow_negative=leave_type.allow_negative,
            )
        ],
        ignore_conflicts=True,
    )
    return LeaveBalance.objects.get(user=user, leave_type=leave_type, year=year)


def _charge(user, leave_type: LeaveType, by_year: dict[int, Decimal]) -> None:
    for year, hours in by_year.items():
        balance = _balance_for(user, leave_type, year)
        if balance is None:
            raise ValidationError(
                {
                    "leave_type": [
                        _("You have no %(type)s balance for %(year)d.")
                        % {"type": leave_type.name, "year": year}
                    ]
                }
            )
        rows = LeaveBalance.objects.filter(pk=balance.pk)
        if not balance.allow_negative:
            rows = rows.filter(used_hours__lte=F("granted_hours") + F("carried_hours") - hours)
        if not rows.update(used_hours=F("used_hours") + hours, updated_at=timezone.now()):
            balance.refresh_from_db()
            raise ValidationError(
                {
                    "end": [
                        _("Not enough %(type)s left for %(year)d: %(left)s hours, %(asked)s asked.")
                        % {
                            "type": leave_type.name,
                            "year": year,
                            "left": _hours(balance.available_hours),
                            "asked": _hours(hours),
                        }
                    ]
                }
            )


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _give_back(request: LeaveRequest) -> None:
    for year, hours in sorted(request.charges.items()):
        LeaveBalance.objects.filter(
            user_id=request.user_id, leave_type_id=request.leave_type_id, year=int(year)
        ).update(used_hours=F("used_hours") - Decimal(hours), updated_at=timezone.now())


def _overlaps(user, start, end, *, excluding: int | None = None) -> bool:
    rows = LeaveRequest.objects.filter(
        user=user, status__in=leave_selectors.HOLDING, start__lt=end, end__gt=start
    )
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.exists()


def _deputy_conflict(deputy, start, end) -> LeaveRequest | None:
    """The deputy's own held leave (awaiting deputy, pending or approved) overlapping the span."""
    return (
        LeaveRequest.objects.filter(
            user=deputy, status__in=leave_selectors.HOLDING, start__lt=end, end__gt=start
        )
        .order_by("start")
        .first()
    )


def leave_request_create(
    *,
    actor,
    leave_type: LeaveType,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    deputy: User,
    attachment=None,
    amends: LeaveRequest | None = None,
) -> LeaveRequest:
    """Request leave for ``actor``; the balance is held at once and ``deputy`` is asked."""
    if not _signed_in(actor):
        raise PermissionDenied
    if leave_type is None or not leave_type.is_active:
        raise ValidationError({"leave_type": [_("Choose a leave type that may be requested.")]})
    per_day = _check_span(leave_type, start, end)
    by_year = leave_time.hours_by_year(per_day)
    hours = sum(by_year.values(), Decimal("0"))
    reason = _clean_reason(reason)
    if deputy is None or not leave_selectors.deputy_choices(actor).filter(pk=deputy.pk).exists():
        raise ValidationError({"deputy": [_("Choose an active colleague of your unit.")]})
    _check_attachment(leave_type, attachment, len(per_day))
    _route(leave_type, hours)
    if start < timezone.now() - dt.timedelta(days=31):
        raise ValidationError({"start": [_("Leave more than a month ago cannot be requested.")]})
    with _person_lock(actor), transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if amends is not None:
            _release(amends, actor, status=LeaveStatus.CANCELLED, why="amended")
        if _overlaps(actor, start, end):
            raise ValidationError({"start": [_("You already have leave at that time.")]})
        conflict = _deputy_conflict(deputy, start, end)
        if conflict is not None:
            raise ValidationError(
                {
                    "deputy": [
                        _(
                            "%(name)s is on leave from %(start)s to %(end)s (%(number)s); "
                            "choose another deputy."
                        )
                        % {
                            "name": deputy.display_name,
                            "start": timezone.localtime(conflict.start).strftime("%Y-%m-%d %H:%M"),
                            "end": timezone.localtime(conflict.end).strftime("%Y-%m-%d %H:%M"),
                            "number": conflict.number,
                        }
                    ]
                }
            )
        try:
            with transaction.atomic():
                _charge(actor, leave_type, by_year)
        except IntegrityError as exc:
            raise ValidationError({"end": [_("Not enough balance left.")]}) from exc
        year = timezone.localdate(start).year
        request = LeaveRequest(
            number="L{}-{:05d}".format(year, next_value(scope="portal.leave", year=year)),
            user=actor,
            leave_type=leave_type,
            start=start,
            end=end,
            hours=hours,
            charges={str(y): str(h) for y, h in by_year.items()},
            reason=reason,
            deputy=deputy,
            amends=amends,
        )
        if attachment:
            request.attachment = attachment
        request.full_clean(exclude=["attachment"])
        request.save()
        audit_record(action="create", obj=request, actor=actor, message=f"{hours} h")
        leave_notify("deputy_asked", request=request, recipients=[deputy])
    return request


def _locked(request: LeaveRequest) -> LeaveRequest:
    return (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("user", "leave_type", "deputy")
        .get(pk=request.pk)
    )


def _set_status(request: LeaveRequest, old, new, **extra) -> bool:
    old = old if isinstance(old, list | tuple) else [old]
    changed = LeaveRequest.objects.filter(pk=request.pk, status__in=old).update(
        status=new, updated_at=timezone.now(), **extra
    )
    if changed:
        request.status = new
        for key, value in extra.items():
            setattr(request, key, value)
    return bool(changed)


@transaction.atomic
def leave_deputy_answer(*, request: LeaveRequest, actor, accept: bool) -> LeaveRequest:
    """The deputy accepts (the approval chain starts) or declines (the hours go back)."""
    locked = _locked(request)
    if not _signed_in(actor) or locked.deputy_id != actor.pk:
        raise PermissionDenied
    if locked.status != LeaveStatus.AWAITING_DEPUTY:
        raise ValidationError(_("This request no longer waits for its deputy."))
    now = timezone.now()
    if not accept:
        _set_status(
            locked,
            LeaveStatus.AWAITING_DEPUTY,
            LeaveStatus.DEPUTY_DECLINED,
            deputy_answered_at=now,
            decided_at=now,
        )
        _give_back(locked)
        audit_record(action="update", obj=locked, actor=actor, message="deputy declined")
        leave_notify("deputy_declined", request=locked, recipients=[locked.user])
        return locked
    _set_status(locked, LeaveStatus.AWAITING_DEPUTY, LeaveStatus.PENDING, deputy_answered_at=now)
    signoff_start(
        target=locked,
        started_by=locked.user,
        template=_route(locked.leave_type, locked.hours),
        requester_unit=locked.user.organization,
        subject=_("Leave: %(name)s, %(type)s, %(days)s day(s)")
        % {
            "name": locked.user.display_name,
            "type": locked.leave_type.name,
            "days": _hours(locked.days),
        },
    )
    audit_record(action="update", obj=locked, actor=actor, message="deputy accepted")
    leave_notify("deputy_accepted", request=locked, recipients=[locked.user])
    return locked


def _release(request: LeaveRequest, actor, *, status, why: str) -> LeaveRequest:
    locked = _locked(request)
    if locked.user_id != actor.pk:
        raise PermissionDenied
    if not locked.holds_balance:
        raise ValidationError(_("This request is no longer active."))
    if locked.start <= timezone.now():
        raise ValidationError(_("Leave that has begun cannot be cancelled or amended."))
    was_pending = locked.status == LeaveStatus.PENDING
    _set_status(locked, list(leave_selectors.HOLDING), status, cancelled_at=timezone.now())
    _give_back(locked)
    if was_pending:
        chain = documents_selectors.open_chain_for(locked)
        if chain is not None:
            signoff_cancel(chain=chain, actor=locked.user, reason=_("The leave was withdrawn."))
    audit_record(action="update", obj=locked, actor=actor, message=why)
    return locked


@transaction.atomic
def leave_cancel(*, request: LeaveRequest, actor) -> LeaveRequest:
    """Withdraw one's own request before it begins; the hours go back to the balance."""
    if not _signed_in(actor):
        raise PermissionDenied
    locked = _release(request, actor, status=LeaveStatus.CANCELLED, why="cancelled")
    leave_notify("cancelled", request=locked, recipients=[locked.deputy])
    return locked


def leave_amend(*, request: LeaveRequest, actor, **changes) -> LeaveRequest:
    """Replace a request not yet begun by a new one (new dates, reason, deputy...): the old
    one's hours go back and the new one is asked again, in one transaction."""
    if not _signed_in(actor):
        raise PermissionDenied
    if request.user_id != actor.pk:
        raise PermissionDenied
    values = {
        "leave_type": request.leave_type,
        "start": request.start,
        "end": request.end,
        "reason": request.reason,
        "deputy": request.deputy,
        "attachment": request.attachment or None,
        **changes,
    }
    return leave_request_create(actor=actor, amends=request, **values)


# --- the sign-off engine's outcome (documents.hooks.signoff_hooks) --------------------------


def _target(chain) -> LeaveRequest | None:
    return (
        LeaveRequest.objects.select_related("user", "deputy", "leave_type")
        .filter(pk=chain.target_object_id)
        .first()
    )


def leave_approved(*, document, chain, outcome, comment, actor):
    request = _target(chain)
    if request and _set_status(
        request, LeaveStatus.PENDING, LeaveStatus.APPROVED, decided_at=timezone.now()
    ):
        leave_notify(
            "decided",
            request=request,
            recipients=[request.user, request.deputy],
            context={"approved": True, "comment": comment},
        )


def leave_refused(*, document, chain, outcome, comment, actor):
    request = _target(chain)
    if request and _set_status(
        request, LeaveStatus.PENDING, LeaveStatus.REJECTED, decided_at=timezone.now()
    ):
        _give_back(request)
        leave_notify(
            "decided",
            request=request,
            recipients=[request.user],
            context={"approved": False, "comment": comment},
        )


def leave_chain_cancelled(*, document, chain, outcome, comment, actor):
    request = _target(chain)
    if request and _set_status(
        request, LeaveStatus.PENDING, LeaveStatus.CANCELLED, cancelled_at=timezone.now()
    ):
        _give_back(request)


# --- opening balances from CSV ------------------------------------------------------------

CSV_COLUMNS = ("employee_number", "leave_type", "year", "days", "carried_days")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _days(text: str, line: int, name: str, errors: list) -> Decimal | None:
    try:
        value = Decimal((text or "0").strip())
    except InvalidOperation:
        errors.append(
            _("Line %(line)d: %(column)s is not a number.") % {"line": line, "column": name}
        )
        return None
    if value < 0 or value > 366 or (value * 2) != (value * 2).to_integral_value():
        errors.append(
            _("Line %(line)d: %(column)s must be 0 to 366 in half days.")
            % {"line": line, "column": name}
        )
        return None
    return value


def seniority_days(leave_type: LeaveType, years: int) -> Decimal:
    """The annual allowance for ``years`` of service from the type's table."""
    days = Decimal("0")
    for threshold, allowance in sorted(leave_type.seniority_days or []):
        if years >= threshold:
            days = Decimal(str(allowance))
    return days


def leave_balances_import(*, data: bytes, actor=None, dry_run: bool = False) -> ImportReport:
    """Opening balances from a CSV (UTF-8, header ``employee_number,leave_type,year,days,
    carried_days``; ``days`` may be ``seniority:N`` for N years of service on a type with a
    seniority table). All or nothing: any error and nothing is written."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(_("The file is not UTF-8 text."))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        return report
    types = {t.code: t for t in LeaveType.objects.all()}
    people = {}
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        report.rows += 1
        errors = report.errors
        number = (row.get("employee_number") or "").strip()
        person = people.get(number) or User.objects.filter(employee_number=number).first()
        if person is None:
            errors.append(
                _("Line %(line)d: no person with employee number %(number)s.")
                % {"line": line, "number": number[:20]}
            )
            continue
        people[number] = person
        leave_type = types.get((row.get("leave_type") or "").strip())
        if leave_type is None:
            errors.append(_("Line %(line)d: unknown leave type.") % {"line": line})
            continue
        try:
            year = int((row.get("year") or "").strip())
            if not 2000 <= year <= 2200:
                raise ValueError
        except ValueError:
            errors.append(_("Line %(line)d: the year must be like 2026.") % {"line": line})
            continue
        raw_days = (row.get("days") or "").strip()
        if raw_days.startswith("seniority:") and leave_type.by_seniority:
            try:
                days = seniority_days(leave_type, int(raw_days.split(":", 1)[1]))
            except ValueError:
                errors.append(_("Line %(line)d: seniority:N needs whole years.") % {"line": line})
                continue
        else:
            days = _days(raw_days, line, "days", errors)
        carried = _days(row.get("carried_days"), line, "carried_days", errors)
        if days is None or carried is None:
            continue
        key = (person.pk, leave_type.pk, year)
        if key in seen:
            errors.append(
                _("Line %(line)d: the same person, type and year twice.") % {"line": line}
            )
            continue
        seen.add(key)
        rows.append((person, leave_type, year, days, carried))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for person, leave_type, year, days, carried in rows:
            balance, created = LeaveBalance.objects.select_for_update().get_or_create(
                user=person,
                leave_type=leave_type,
                year=year,
                defaults={"allow_negative": leave_type.allow_negative},
            )
            balance.granted_hours = days * LEAVE_DAY_HOURS
            balance.carried_hours = carried * LEAVE_DAY_HOURS
            balance.allow_negative = leave_type.allow_negative
            if (
                not balance.allow_negative
                and balance.used_hours > balance.granted_hours + balance.carried_hours
            ):
                report.errors.append(
                    _("%(number)s %(type)s %(year)d: more already used than the new balance.")
                    % {"number": person.employee_number, "type": leave_type.code, "year": year}
                )
                continue
            balance.full_clean()
            balance.save()
            audit_record(
                action="create" if created else "update",
                obj=balance,
                actor=actor,
                message="imported",
            )
            report.created += int(created)
            report.updated += int(not created)
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = 0
    return report


@transaction.atomic
def leave_year_carry_over(*, year: int, actor=None) -> int:
    """Open ``year + 1``'s balances with what is left of ``year``, up to each type's
    ``carry_over_days`` (idempotent: sets the carried hours). Returns the balances touched."""
    touched = 0
    for balance in (
        LeaveBalance.objects.select_for_update(of=("self",))
        .filter(year=year, leave_type__carry_over_days__gt=0)
        .select_related("leave_type")
        .order_by("pk")
    ):
        left = max(balance.available_hours, Decimal("0"))
        carried = min(left, balance.leave_type.carry_over_days * LEAVE_DAY_HOURS)
        LeaveBalance.objects.get_or_create(
            user_id=balance.user_id,
            leave_type=balance.leave_type,
            year=year + 1,
            defaults={
                "allow_negative": balance.allow_negative,
                "granted_hours": balance.leave_type.annual_days * LEAVE_DAY_HOURS
                if not balance.leave_type.by_seniority
                else balance.granted_hours,
            },
        )
        LeaveBalance.objects.filter(
            user_id=balance.user_id, leave_type=balance.leave_type, year=year + 1
        ).update(carried_hours=carried, updated_at=timezone.now())
        touched += 1
    return touched
