"""Writes of the HR sync: plan a feed against the accounts, apply it, record the run.

One rule set for every entry point: the scheduled task, ``manage.py hr_sync`` and the SCIM
endpoint all turn their input into :class:`~accounts.hr.feed.HRRecord` objects and go through
:func:`evaluate` and :func:`_apply_record` below.

- Users are matched by employee number; they are created, updated, moved between units,
  deactivated (status ``left``) and reactivated (a leaver who comes back), never deleted.
- A record older than the account's ``hr_effective_date`` is ignored (out-of-order feeds);
  one dated in the future waits until that day.
- A deactivation ends the user's sessions and revokes their tokens at once.
- Once committed, a deactivation sends ``accounts.signals.person_deactivated`` and a move of an
  active person ``accounts.signals.person_moved`` (the apps above react, e.g. property drafts
  the hand-over of what the person holds).
- ``unit_role`` (head/deputy/empty) keeps the person's HR-sourced ``UnitOfficer`` row in step:
  one post at most, in the person's unit; leaving the unit, leaving the ministry or an empty
  ``unit_role`` removes it. A feed without the column leaves posts alone (but a move or a
  departure still removes the post in the old unit). An HR head replaces an HR-sourced head of
  the same unit; a head entered in the admin (``source=manual``) is never replaced: the row's
  other changes apply and the run lists a ``head_exists`` row error.
- A feed that would deactivate more than ``HR_MAX_DEACTIVATE_RATIO`` of the active users is
  refused whole and the administrators are alerted, unless run with ``force``.
"""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import admin_alert, in_each_language
from core.choices import AuditAction
from core.locks import single_flight
from core.masking import mask_value
from core.models import Organization
from core.services import audit_record

from ..choices import EmploymentStatus, HRSyncStatus, UnitOfficerKind, UnitOfficerSource
from ..models import HRSyncRun, UnitOfficer, User
from ..services import user_sign_out_everywhere
from ..signals import person_deactivated, person_moved, send_on_commit
from .choices import SKIPPED_KINDS, WRITING_KINDS, ChangeKind
from .constants import (
    ACTOR_FEED,
    ACTOR_SCIM,
    LOCK_NAME,
    MAX_STORED_ERRORS,
)
from .feed import FeedError, HRRecord, ParsedFeed, RowError, parse_feed
from .sources import FeedSource, feed_read

logger = logging.getLogger(__name__)

# Account attribute <- record attribute, for the optional fields of a record.
OPTIONAL_FIELDS = {
    "name_zh": "name_zh",
    "name_en": "name_en",
    "job_title": "title",
    "email": "email",
    "mobile": "mobile",
}
# Fields shown masked in diffs (as the audit log masks them).
MASKED_FIELDS = {"name_zh", "name_en", "email", "mobile"}
# Fields the HR sync does not manage, so does not validate (an account made without a
# password, by a script or a directory, is still HR's to update).
NOT_MANAGED = ["password"]
# Model field -> feed field, for errors raised by the model's own validation.
MODEL_TO_FEED = {"job_title": "title", "organization": "unit_code"}


class HRSyncBusy(Exception):
    """Another feed sync holds the lock."""


class HRRecordInvalid(Exception):
    """A pushed record (SCIM) breaks a rule; ``errors`` says which and why."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Office:
    """A head or deputy post, as the HR feed states it."""

    unit_id: int
    unit_code: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.unit_code})"


@dataclass
class Offices:
    """HR-sourced posts by user id, and each unit's head as ``(user id, source)``."""

    by_user: dict[int, Office] = field(default_factory=dict)
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)


def _offices_load(
    *, user: User | None = None, unit: Organization | None = None, every: bool = False
) -> Offices:
    """Every post (``every``), or only ``user``'s HR posts and ``unit``'s head."""
    rows = UnitOfficer.objects.all()
    if not every:
        wanted = Q(pk__in=[])
        if user is not None and user.pk:
            wanted |= Q(user_id=user.pk, source=UnitOfficerSource.HR)
        if unit is not None:
            wanted |= Q(unit_id=unit.pk, kind=UnitOfficerKind.HEAD)
        rows = rows.filter(wanted)
    offices = Offices()
    for user_id, unit_id, code, kind, source in rows.order_by("pk").values_list(
        "user_id", "unit_id", "unit__code", "kind", "source"
    ):
        if source == UnitOfficerSource.HR:
            offices.by_user.setdefault(user_id, Office(unit_id=unit_id, unit_code=code, kind=kind))
        if kind == UnitOfficerKind.HEAD:
            offices.heads[unit_id] = (user_id, source)
    return offices


@dataclass
class Change:
    """What the sync does (or would do) for one employee, with the fields that change."""

    kind: str
    employee_number: str
    line: int | None = None
    record: HRRecord | None = None
    user_id: int | None = None
    # field -> (before, after), display values (unit codes, masked personal data).
    fields: dict[str, tuple] = field(default_factory=dict)
    # field -> new model value, what ``_apply_record`` writes.
    target: dict = field(default_factory=dict, repr=False)
    # The HR-sourced post the person should hold afterwards (None: none).
    office: Office | None = None
    # Problems that do not stop the row (a head entered by hand blocks the HR head).
    warnings: list[RowError] = field(default_factory=list)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def count(self, *kinds) -> int:
        return sum(1 for change in self.changes if change.kind in kinds)


@dataclass
class SyncResult:
    run: HRSyncRun
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    deactivations: int = 0
    active_users: int = 0


# --- locking ---------------------------------------------------------------------------------


@contextmanager
def sync_lock():
    """Hold the one HR-sync lock (``core.locks.single_flight``) for the block, or raise
    :class:`HRSyncBusy` at once. The lock goes with the process: a worker that dies leaves
    none behind."""
    with single_flight(LOCK_NAME) as acquired:
        if not acquired:
            raise HRSyncBusy
        yield


# --- evaluating one record -------------------------------------------------------------------


def _display(name: str, value):
    if isinstance(value, Organization):
        return value.code
    if value is None:
        return ""
    if name in MASKED_FIELDS:
        return mask_value(name, value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _current(user: User | None, name: str):
    if user is None:
        return None
    if name == "organization":
        return user.organization
    return getattr(user, name)


def _row_error(record: HRRecord, field_name: str, code: str, reason) -> RowError:
    return RowError(
        line=record.line,
        field=field_name,
        code=code,
        reason=str(reason),
        employee_number=record.employee_number,
    )


def _validation_errors(record: HRRecord, exc: ValidationError) -> list[RowError]:
    errors = []
    for name, messages in exc.message_dict.items():
        feed_field = "" if name == NON_FIELD_ERRORS else MODEL_TO_FEED.get(name, name)
        errors.append(_row_error(record, feed_field, "invalid", " ".join(messages)))
    return errors


def evaluate(
    record: HRRecord,
    user: User | None,
    *,
    units: dict[str, Organization],
    today: date,
    usernames: set[str] | None = None,
    offices: Offices | None = None,
) -> Change:
    """Decide what ``record`` does to ``user`` (None: no account has that employee number).

    ``usernames``: every login name in use, lower-cased; ``offices``: every post (planning
    shortcuts; without them the database is asked). Raises :class:`HRRecordInvalid` for a rule
    the record breaks against the database.
    """
    change = Change(
        kind=ChangeKind.UNCHANGED,
        employee_number=record.employee_number,
        line=record.line,
        record=record,
        user_id=user.pk if user else None,
    )
    if record.effective_date > today:
        change.kind = ChangeKind.PENDING
        return change
    if (
        user is not None
        and user.hr_effective_date
        and record.effective_date < user.hr_effective_date
    ):
        change.kind = ChangeKind.OLDER
        return change

    target: dict = {}
    if record.username:
        target["username"] = record.username
    elif user is None:
        target["username"] = record.employee_number.lower()
    for attr, source in OPTIONAL_FIELDS.items():
        if source in record.present:
            target[attr] = getattr(record, source)
    if record.unit_code:
        unit = units.get(record.unit_code)
        if unit is None:
            raise HRRecordInvalid(
                [
                    _row_error(
                        record,
                        "unit_code",
                        "unknown_unit",
                        _('The unit code "%(code)s" is not a known unit.')
                        % {"code": record.unit_code},
                    )
                ]
            )
        target["organization"] = unit
    target["employment_status"] = record.status
    if record.status == EmploymentStatus.LEFT:
        target["is_active"] = False
    elif user is None or user.employment_status == EmploymentStatus.LEFT:
        # A leaver who comes back. An account an administrator disabled while HR still
        # lists the person as employed stays disabled.
        target["is_active"] = True
    target["hr_effective_date"] = record.effective_date

    new_username = target.get("username")
    if (
        new_username
        and (user is None or new_username.lower() != user.username.lower())
        and (
            new_username.lower() in usernames
            if usernames is not None
            else User.objects.filter(username__iexact=new_username).exists()
        )
    ):
        raise HRRecordInvalid(
            [
                _row_error(
                    record,
                    "username",
                    "taken",
                    _('The login name "%(name)s" belongs to another account.')
                    % {"name": new_username},
                )
            ]
        )

    for name, value in target.items():
        before = _current(user, name)
        if user is not None and before == value:
            continue
        if user is None and value in ("", None):
            continue
        change.fields[name] = (_display(name, before), _display(name, value))
    change.target = target

    unit = target.get("organization") or (user.organization if user is not None else None)
    if offices is None:
        offices = _offices_load(user=user, unit=unit)
    current = offices.by_user.get(user.pk) if user is not None else None
    change.office = _wanted_office(record, unit, current, offices=offices, change=change)
    if change.office != current:
        change.fields["unit_role"] = (str(current or ""), str(change.office or ""))

    if user is None:
        change.kind = ChangeKind.CREATE
    elif not change.fields:
        change.kind = ChangeKind.UNCHANGED
    elif user.is_active and target.get("is_active") is False:
        change.kind = ChangeKind.DEACTIVATE
    elif user.employment_status == EmploymentStatus.LEFT and record.status != EmploymentStatus.LEFT:
        change.kind = ChangeKind.REACTIVATE
    elif "organization" in change.fields:
        change.kind = ChangeKind.MOVE
    else:
        change.kind = ChangeKind.UPDATE
    return change


def _wanted_office(
    record: HRRecord,
    unit: Organization | None,
    current: Office | None,
    *,
    offices: Offices,
    change: Change,
) -> Office | None:
    """The HR post ``record`` gives its person in ``unit`` (see the module docstring)."""
    if record.status == EmploymentStatus.LEFT or unit is None:
        return None
    kept = current if current is not None and current.unit_id == unit.pk else None
    if "unit_role" not in record.present:
        return kept
    if not record.unit_role:
        return None
    wanted = Office(unit_id=unit.pk, unit_code=unit.code, kind=record.unit_role)
    holder = offices.heads.get(unit.pk) if wanted.kind == UnitOfficerKind.HEAD else None
    if holder is not None and holder[1] != UnitOfficerSource.HR and holder[0] != change.user_id:
        change.warnings.append(
            _row_error(
                record,
                "unit_role",
                "head_exists",
                _(
                    "The unit %(code)s already has a head entered by an administrator; the "
                    "head in the feed was not recorded."
                )
                % {"code": unit.code},
            )
        )
        return kept
    return wanted


def _office_apply(*, user: User, wanted: Office | None) -> None:
    """Make ``user``'s HR-sourced posts equal ``wanted``. Manual rows are left alone; an
    HR-sourced head of another person in that unit is replaced (HR's latest word wins)."""
    keep = None
    for row in (
        UnitOfficer.objects.select_for_update()
        .filter(user=user, source=UnitOfficerSource.HR)
        .order_by("pk")
    ):
        if (
            keep is None
            and wanted is not None
            and (row.unit_id, row.kind) == (wanted.unit_id, wanted.kind)
        ):
            keep = row
        else:
            row.delete()
    if wanted is None or keep is not None:
        return
    if UnitOfficer.objects.filter(unit_id=wanted.unit_id, user=user, kind=wanted.kind).exists():
        return  # the same post entered by hand
    if wanted.kind == UnitOfficerKind.HEAD:
        for row in UnitOfficer.objects.select_for_update().filter(
            unit_id=wanted.unit_id, kind=UnitOfficerKind.HEAD, source=UnitOfficerSource.HR
        ):
            row.delete()
    officer = UnitOfficer(
        unit_id=wanted.unit_id, user=user, kind=wanted.kind, source=UnitOfficerSource.HR
    )
    officer.full_clean()
    officer.save()


def _candidate(user: User | None, record: HRRecord, target: dict) -> User:
    """The account as it would be after the change (a copy: nothing is saved)."""
    if user is None:
        candidate = User(employee_number=record.employee_number)
        candidate.set_unusable_password()
    else:
        candidate = copy.copy(user)
    for name, value in target.items():
        setattr(candidate, name, value)
    return candidate


def _missing_change(user: User, offices: Offices | None = None) -> Change:
    """A user an HR snapshot no longer lists (``HR_FEED_DEACTIVATE_MISSING``)."""
    target = {"employment_status": EmploymentStatus.LEFT, "is_active": False}
    fields = {
        "employment_status": (user.employment_status, EmploymentStatus.LEFT.value),
        "is_active": (user.is_active, False),
    }
    office = (offices or _offices_load(user=user)).by_user.get(user.pk)
    if office is not None:
        fields["unit_role"] = (str(office), "")
    return Change(
        kind=ChangeKind.DEACTIVATE,
        employee_number=user.employee_number,
        user_id=user.pk,
        fields=fields,
        target=target,
    )


# --- planning a feed -------------------------------------------------------------------------


def plan_changes(
    records: list[HRRecord],
    *,
    named: set[str] | None = None,
    deactivate_missing: bool = False,
    today: date | None = None,
) -> Plan:
    """What a feed would do, without writing anything. Reads every account once."""
    today = today or timezone.localdate()
    plan = Plan()
    units = {unit.code: unit for unit in Organization.objects.all()}
    users = {
        user.employee_number: user
        for user in User.objects.filter(employee_number__isnull=False).select_related(
            "organization"
        )
    }
    usernames = {name.lower() for name in User.objects.values_list("username", flat=True)}
    offices = _offices_load(every=True)

    # Per employee, the latest row that is already effective wins; the others are skipped.
    chosen: dict[str, HRRecord] = {}
    for record in records:
        if record.effective_date > today:
            plan.changes.append(
                Change(
                    kind=ChangeKind.PENDING,
                    employee_number=record.employee_number,
                    line=record.line,
                    record=record,
                )
            )
            continue
        best = chosen.get(record.employee_number)
        if best is None or (record.effective_date, record.line or 0) >= (
            best.effective_date,
            best.line or 0,
        ):
            if best is not None:
                plan.changes.append(_superseded(best))
            chosen[record.employee_number] = record
        else:
            plan.changes.append(_superseded(record))

    claimed: dict[str, str] = {}
    heads: dict[int, str] = {}
    for record in sorted(chosen.values(), key=lambda r: r.line or 0):
        user = users.get(record.employee_number)
        try:
            change = evaluate(
                record, user, units=units, today=today, usernames=usernames, offices=offices
            )
            _check_head_claimed(change, heads)
            if change.kind in WRITING_KINDS:
                _check_claimed(change, claimed)
                candidate = _candidate(user, record, change.target)
                # Uniqueness and the unit were checked by evaluate(); the rest needs no query.
                candidate.clean_fields(exclude=[*NOT_MANAGED, "organization"])
                candidate.clean()
        except HRRecordInvalid as exc:
            plan.errors.extend(exc.errors)
            continue
        except ValidationError as exc:
            plan.errors.extend(_validation_errors(record, exc))
            continue
        plan.changes.append(change)
        plan.warnings.extend(change.warnings)

    if deactivate_missing:
        listed = set(named or ()) | {record.employee_number for record in records}
        for number, user in sorted(users.items()):
            if number in listed or not user.is_active or user.is_superuser:
                continue
            plan.changes.append(_missing_change(user, offices))
    plan.changes.sort(key=lambda c: (c.line is None, c.line or 0, c.employee_number))
    return plan


def _superseded(record: HRRecord) -> Change:
    return Change(
        kind=ChangeKind.SUPERSEDED,
        employee_number=record.employee_number,
        line=record.line,
        record=record,
    )


def _check_head_claimed(change: Change, heads: dict[int, str]):
    """Two rows of one feed may not both make someone head of the same unit."""
    office = change.office
    if office is None or office.kind != UnitOfficerKind.HEAD:
        return
    owner = heads.setdefault(office.unit_id, change.employee_number)
    if owner != change.employee_number:
        raise HRRecordInvalid(
            [
                _row_error(
                    change.record,
                    "unit_role",
                    "head_taken",
                    _("Employee %(number)s is also given as head of the unit %(code)s.")
                    % {"number": owner, "code": office.unit_code},
                )
            ]
        )


def _check_claimed(change: Change, claimed: dict[str, str]):
    """Two rows of one feed may not give the same login name to two employees."""
    username = change.target.get("username")
    if not username or "username" not in change.fields:
        return
    owner = claimed.setdefault(username.lower(), change.employee_number)
    if owner != change.employee_number:
        raise HRRecordInvalid(
            [
                _row_error(
                    change.record,
                    "username",
                    "taken",
                    _('The login name "%(name)s" is also given to employee %(number)s.')
                    % {"name": username, "number": owner},
                )
            ]
        )


# --- applying --------------------------------------------------------------------------------


def _apply_record(
    change: Change,
    *,
    run: HRSyncRun,
    units: dict[str, Organization],
    today: date,
    actor_repr: str,
) -> Change:
    """Write one planned change, re-deciding it against the locked row. Call in a savepoint."""
    user = User.objects.select_for_update().filter(employee_number=change.employee_number).first()
    if change.record is None:
        # Missing from a snapshot: re-check that it still applies.
        if user is None or not user.is_active:
            return Change(kind=ChangeKind.UNCHANGED, employee_number=change.employee_number)
        change = _missing_change(user)
    else:
        change = evaluate(change.record, user, units=units, today=today)
    if change.kind not in WRITING_KINDS:
        return change
    from_unit_id = user.organization_id if user is not None else None
    user = _candidate(user, change.record, change.target) if user is None else user
    for name, value in change.target.items():
        setattr(user, name, value)
    # evaluate() checked the login name against the other accounts and the employee number is
    # what the row was looked up by; the database constraints still hold the line under races
    # (IntegrityError -> a row error).
    user.full_clean(exclude=NOT_MANAGED, validate_unique=False, validate_constraints=False)
    user.save()
    change.user_id = user.pk
    _office_apply(user=user, wanted=change.office)
    # The apps above accounts (property's hand-over) hear of it once the row is committed.
    if change.kind == ChangeKind.DEACTIVATE:
        send_on_commit(person_deactivated, sender=User, user=user, run_id=run.pk)
    elif user.is_active and from_unit_id is not None and user.organization_id != from_unit_id:
        send_on_commit(
            person_moved,
            sender=User,
            user=user,
            from_unit_id=from_unit_id,
            to_unit_id=user.organization_id,
            run_id=run.pk,
        )
    if change.kind == ChangeKind.DEACTIVATE:
        ended = user_sign_out_everywhere(user=user, by=None)
        audit_record(
            action=AuditAction.OTHER,
            obj=user,
            actor_repr=actor_repr,
            message=(
                f"HR sync run #{run.pk}: deactivated (status {user.employment_status}, "
                f"effective {user.hr_effective_date or '-'}); ended {ended['sessions']} "
                f"sessions, revoked {ended['tokens']} tokens"
            ),
        )
    elif change.kind == ChangeKind.REACTIVATE:
        audit_record(
            action=AuditAction.OTHER,
            obj=user,
            actor_repr=actor_repr,
            message=(
                f"HR sync run #{run.pk}: reactivated (status {user.employment_status}, "
                f"effective {user.hr_effective_date})"
            ),
        )
    return change


def _apply_plan(plan: Plan, *, run: HRSyncRun, today: date) -> tuple[list[Change], list]:
    units = {unit.code: unit for unit in Organization.objects.all()}
    applied: list[Change] = []
    errors: list[RowError] = []
    for change in plan.changes:
        if change.kind not in WRITING_KINDS:
            applied.append(change)
            continue
        try:
            with transaction.atomic():
                done = _apply_record(
                    change, run=run, units=units, today=today, actor_repr=ACTOR_FEED
                )
            applied.append(done)
            errors.extend(done.warnings)
        except HRRecordInvalid as exc:
            errors.extend(exc.errors)
        except ValidationError as exc:
            errors.extend(_validation_errors(change.record, exc))
        except IntegrityError as exc:
            logger.warning("HR sync: row %s not applied: %s", change.line, exc)
            errors.append(
                RowError(
                    line=change.line,
                    field="",
                    code="conflict",
                    reason=_("The row conflicts with another account."),
                    employee_number=change.employee_number,
                )
            )
    return applied, errors


# --- a whole run -----------------------------------------------------------------------------


def _counts(changes: list[Change]) -> dict:
    def n(*kinds):
        return sum(1 for change in changes if change.kind in kinds)

    return {
        "created_count": n(ChangeKind.CREATE),
        "updated_count": n(ChangeKind.UPDATE, ChangeKind.REACTIVATE),
        "moved_count": n(ChangeKind.MOVE),
        "deactivated_count": n(ChangeKind.DEACTIVATE),
        "unchanged_count": n(ChangeKind.UNCHANGED),
        "skipped_count": n(*SKIPPED_KINDS),
    }


def _finish(run: HRSyncRun, *, status, changes=(), errors=(), message="") -> HRSyncRun:
    errors = list(errors)
    for name, value in _counts(list(changes)).items():
        setattr(run, name, value)
    run.status = status
    run.error_count = len(errors)
    run.errors = [error.as_dict() for error in errors[:MAX_STORED_ERRORS]]
    run.message = message
    run.finished_at = timezone.now()
    run.full_clean()
    run.save()
    return run


def _summary(run_counts: dict, errors: int) -> str:
    return _(
        "%(created)s created, %(updated)s updated, %(moved)s moved, %(deactivated)s "
        "deactivated, %(unchanged)s unchanged, %(skipped)s skipped, %(errors)s row errors."
    ) % {
        "created": run_counts["created_count"],
        "updated": run_counts["updated_count"],
        "moved": run_counts["moved_count"],
        "deactivated": run_counts["deactivated_count"],
        "unchanged": run_counts["unchanged_count"],
        "skipped": run_counts["skipped_count"],
        "errors": errors,
    }


def hr_sync_run(
    *,
    source: FeedSource,
    dry_run: bool = False,
    force: bool = False,
    fmt: str | None = None,
) -> SyncResult:
    """Read the feed at ``source`` and apply it (or only plan it, with ``dry_run``)."""
    run = HRSyncRun(source=str(source)[:500])
    run.full_clean()
    run.save()
    try:
        data = feed_read(source)
        run.feed_digest = data.digest
        parsed = parse_feed(
            data.content,
            fmt=fmt or settings.HR_FEED_FORMAT,
            encoding=settings.HR_FEED_ENCODING,
            name=source.name,
            content_type=data.content_type,
        )
    except FeedError as exc:
        logger.warning("HR sync run %s failed: %s", run.pk, exc)
        _finish(run, status=HRSyncStatus.FAILED, message=str(exc))
        return SyncResult(run=run)
    return hr_feed_apply(run=run, parsed=parsed, dry_run=dry_run, force=force)


def hr_feed_apply(
    *, run: HRSyncRun, parsed: ParsedFeed, dry_run: bool = False, force: bool = False
) -> SyncResult:
    """Plan and apply a parsed feed under the sync lock; record the outcome on ``run``."""
    today = timezone.localdate()
    result = SyncResult(run=run)
    alert = False
    try:
        with sync_lock(), transaction.atomic():
            plan = plan_changes(
                parsed.records,
                named=parsed.named,
                deactivate_missing=settings.HR_FEED_DEACTIVATE_MISSING,
                today=today,
            )
            result.active_users = User.objects.filter(is_active=True).count()
            result.deactivations = plan.count(ChangeKind.DEACTIVATE)
            errors = parsed.errors + plan.errors
            errors.sort(key=lambda e: (e.line is None, e.line or 0))
            refused = _over_limit(result.deactivations, result.active_users)
            counts = _counts(plan.changes)
            if dry_run or (refused and not force):
                errors = sorted(errors + plan.warnings, key=lambda e: (e.line is None, e.line or 0))
            if dry_run:
                message = _("Dry run: nothing was applied.") + " " + _summary(counts, len(errors))
                if refused:
                    message += " " + _refusal_text(result)
                result.changes, result.errors = plan.changes, errors
                _finish(
                    run,
                    status=HRSyncStatus.DRY_RUN,
                    changes=plan.changes,
                    errors=errors,
                    message=message,
                )
                return result
            if refused and not force:
                result.changes, result.errors = plan.changes, errors
                alert = not _already_alerted(run)
                message = (
                    _refusal_text(result)
                    + " "
                    + _(
                        "Nothing was applied. Review the feed, then run "
                        "manage.py hr_sync --force to apply it."
                    )
                )
                if not alert:
                    message += " " + _("The administrators were already alerted about this feed.")
                _finish(
                    run,
                    status=HRSyncStatus.REFUSED,
                    changes=plan.changes,
                    errors=errors,
                    message=message,
                )
            else:
                applied, apply_errors = _apply_plan(plan, run=run, today=today)
                errors = sorted(errors + apply_errors, key=lambda e: (e.line is None, e.line or 0))
                result.changes, result.errors = applied, errors
                message = _summary(_counts(applied), len(errors))
                if refused:
                    run.forced = True
                    message = _("Safety valve overridden (--force).") + " " + message
                _finish(
                    run,
                    status=HRSyncStatus.APPLIED,
                    changes=applied,
                    errors=errors,
                    message=message,
                )
    except HRSyncBusy:
        _finish(
            run,
            status=HRSyncStatus.FAILED,
            message=_("Another HR sync is running; this run did nothing."),
        )
        return result
    except Exception as exc:
        logger.exception("HR sync run %s failed", run.pk)
        _finish(
            run,
            status=HRSyncStatus.FAILED,
            message=_("The run failed and nothing was applied: %(error)s")
            % {"error": exc.__class__.__name__},
        )
        raise
    if alert:
        _alert_refused(result)
    return result


# --- the safety valve ------------------------------------------------------------------------


def _over_limit(deactivations: int, active: int) -> bool:
    if deactivations == 0 or active == 0:
        return False
    return deactivations > settings.HR_MAX_DEACTIVATE_RATIO * active


def _refusal_text(result: SyncResult) -> str:
    share = 100.0 * result.deactivations / max(result.active_users, 1)
    return _(
        "Refused: the feed would deactivate %(count)s of %(active)s active users (%(share).1f%%), "
        "more than the allowed %(limit).1f%%."
    ) % {
        "count": result.deactivations,
        "active": result.active_users,
        "share": share,
        "limit": 100.0 * settings.HR_MAX_DEACTIVATE_RATIO,
    }


def _already_alerted(run: HRSyncRun) -> bool:
    """The same feed content was refused in the last day: do not mail again every run."""
    if not run.feed_digest:
        return False
    return (
        HRSyncRun.objects.filter(
            status=HRSyncStatus.REFUSED,
            feed_digest=run.feed_digest,
            started_at__gte=timezone.now() - timedelta(days=1),
        )
        .exclude(pk=run.pk)
        .exists()
    )


def _refusal_alert_body(result: SyncResult) -> str:
    """The alert text in the active language."""
    run = result.run
    numbers = [c.employee_number for c in result.changes if c.kind == ChangeKind.DEACTIVATE]
    lines = [
        _refusal_text(result),
        "",
        _("Source: %(source)s") % {"source": run.source},
        _("Run: #%(id)s at %(time)s")
        % {"id": run.pk, "time": timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M")},
        _("Feed SHA-256: %(digest)s") % {"digest": run.feed_digest or "-"},
        "",
        _("Employees the feed would deactivate (first 50): %(numbers)s")
        % {"numbers": ", ".join(numbers[:50])},
        "",
        _(
            "Nothing was applied. A truncated or wrong export is the usual cause. When the "
            "feed is right, apply it with: manage.py hr_sync --force"
        ),
    ]
    return "\n".join(lines)


def _alert_refused(result: SyncResult) -> None:
    """Tell the administrators that a feed was refused, through ``core.alerts.admin_alert``
    (the notifications app: an alert notice to every active superuser, an e-mail to each
    ``ADMINS`` address that is no superuser's), in each administrator's language."""
    run = result.run
    delivered = admin_alert(
        key="accounts.hr_sync_refused",
        subject=in_each_language(
            lambda: (
                _("HR sync refused: %(count)s deactivations held back")
                % {"count": result.deactivations}
            )
        ),
        body=in_each_language(lambda: _refusal_alert_body(result)),
        source="accounts",
        link=reverse("admin:accounts_hrsyncrun_change", args=[run.pk]),
    )
    if not delivered:  # logged with its text by admin_alert; the run says so too
        run.message += " " + _("The alert e-mail could not be sent.")
        run.save(update_fields=["message"])
    logger.error("HR sync run %s refused: %s", run.pk, _refusal_text(result))


# --- one pushed record (SCIM) ----------------------------------------------------------------


@dataclass
class PushResult:
    user: User | None
    change: Change
    run: HRSyncRun


def hr_record_push(
    *,
    record: HRRecord,
    source: str,
    expect_new: bool = False,
    user: User | None = None,
) -> PushResult:
    """Apply one record pushed by the HR system (SCIM), recorded as its own run.

    ``expect_new``: the caller creates (the employee must not have an account yet).
    ``user``: the caller replaces that account (its employee number must match the record's).
    Raises :class:`HRRecordInvalid`; a conflict has the error code ``exists`` or ``taken``.
    """
    today = timezone.localdate()
    run = HRSyncRun(source=source[:500])
    run.full_clean()
    run.save()
    try:
        if user is not None and user.employee_number != record.employee_number:
            raise HRRecordInvalid(
                [
                    _row_error(
                        record,
                        "employee_number",
                        "immutable",
                        _("The employee number of an account cannot change."),
                    )
                ]
            )
        if record.effective_date > today:
            raise HRRecordInvalid(
                [
                    _row_error(
                        record,
                        "effective_date",
                        "invalid",
                        _("The effective date is in the future; send the record on that day."),
                    )
                ]
            )
        with transaction.atomic():
            existing = (
                User.objects.select_for_update()
                .filter(employee_number=record.employee_number)
                .first()
            )
            if expect_new and existing is not None:
                raise HRRecordInvalid(
                    [
                        _row_error(
                            record,
                            "employee_number",
                            "exists",
                            _("An account with employee number %(number)s already exists.")
                            % {"number": record.employee_number},
                        )
                    ]
                )
            units = {unit.code: unit for unit in Organization.objects.all()}
            planned = Change(
                kind=ChangeKind.UPDATE,
                employee_number=record.employee_number,
                record=record,
            )
            try:
                change = _apply_record(
                    planned, run=run, units=units, today=today, actor_repr=ACTOR_SCIM
                )
            except ValidationError as exc:
                raise HRRecordInvalid(_validation_errors(record, exc)) from exc
            except IntegrityError as exc:
                raise HRRecordInvalid(
                    [
                        _row_error(
                            record,
                            "",
                            "exists",
                            _("The record conflicts with another account."),
                        )
                    ]
                ) from exc
            _finish(
                run,
                status=HRSyncStatus.APPLIED,
                changes=[change],
                errors=change.warnings,
                message=_summary(_counts([change]), len(change.warnings)),
            )
    except HRRecordInvalid as exc:
        _finish(run, status=HRSyncStatus.FAILED, errors=exc.errors, message=str(exc))
        raise
    account = (
        User.objects.select_related("organization")
        .filter(employee_number=record.employee_number)
        .first()
    )
    return PushResult(user=account, change=change, run=run)
