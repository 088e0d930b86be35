"""Equipment loans: asking, the approval outcome, checkout, return, cancelling, reminders.

``loan_request`` checks everything before writing, in one transaction: the item (lendable by
the actor), the dates (not in the past, end not before start, at most the item's longest
loan, within ``PORTAL_LOANS_HORIZON_DAYS``), the quantity (1 for a serial item). Then, under
the item's lock — its row ``SELECT … FOR UPDATE`` on PostgreSQL, a waited-for ``core.locks``
file lock on SQLite — the loans holding overlapping dates are summed per day and the request
is refused (``LoanUnavailable``) when it would lend more than the item's quantity. On
PostgreSQL the exclusion constraint ``portal_loan_no_overlap`` refuses an overlapping loan
of a serial item whatever the path (its ``IntegrityError`` becomes ``LoanUnavailable``).

A loan goes for approval through the documents sign-off engine: the active chain template
of purpose ``portal.loans`` (data, e.g. the requester's unit head), else the loan managers of
the item's managing unit. ``loan_approved`` / ``loan_refused`` are its hooks.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import roc_year
from core.locks import single_flight
from core.sequences import next_value
from core.services import audit_record
from core.text import clean_line
from documents import selectors as documents_selectors
from documents.services import signoff_cancel, signoff_start

from ..choices import Condition, LoanStatus
from ..models import Loan, LoanItem
from ..roles import LOAN_MANAGER
from ..selectors import loans as selectors
from .common import active, approval_steps, whole
from .loans_notices import loan_decided_notify, loan_overdue_notify

LOCK_WAIT_SECONDS = 10
PURPOSE = "portal.loans"
PURPOSE_MAX = 300


class LoanUnavailable(ValidationError):
    """The item is already lent (or asked for) on some of those days."""

    def __init__(self, available: int = 0):
        super().__init__(
            {"quantity": [_("Not available on those dates: %(n)d free.") % {"n": available}]}
        )
        self.available = available


@contextmanager
def item_lock(item_id: int, *, prefix: str = "portal.loan-item"):
    """On SQLite, wait for the item's file lock (PostgreSQL: the caller locks the row)."""
    if connection.vendor == "postgresql":
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        with single_flight(f"{prefix}-{item_id}") as acquired:
            if acquired:
                yield
                return
        if time.monotonic() > deadline:
            raise ValidationError({"item": [_("Someone else is asking for it; please try again.")]})
        time.sleep(0.02)


def _check_dates(item: LoanItem, start, end) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError({"start": [_("Give the dates as YYYY-MM-DD.")]})
    today = timezone.localdate()
    horizon = settings.PORTAL_LOANS_HORIZON_DAYS
    if start < today:
        errors.setdefault("start", []).append(_("A loan cannot start in the past."))
    elif start > today + dt.timedelta(days=horizon):
        errors.setdefault("start", []).append(
            _("Ask at most %(days)d days ahead.") % {"days": horizon}
        )
    if end < start:
        errors.setdefault("end", []).append(_("The last day cannot be before the first."))
    elif (end - start).days + 1 > item.max_days:
        errors.setdefault("end", []).append(
            _("This item is lent for at most %(days)d days.") % {"days": item.max_days}
        )
    if errors:
        raise ValidationError(errors)


def _check_quantity(item: LoanItem, quantity) -> int:
    quantity = whole(quantity, "quantity")
    if item.serial and quantity != 1:
        raise ValidationError({"quantity": [_("This item is lent one at a time.")]})
    if quantity < 1 or quantity > item.quantity:
        raise ValidationError({"quantity": [_("Ask for 1 to %(max)d.") % {"max": item.quantity}]})
    return quantity


def loan_request(
    *,
    actor,
    item: LoanItem,
    start: dt.date,
    end: dt.date,
    quantity: int = 1,
    purpose: str = "",
    submit_key=None,
) -> Loan:
    """Ask to borrow ``quantity`` of ``item`` from ``start`` to ``end`` (both included).
    Raises ``ValidationError`` naming the field (``LoanUnavailable`` when taken). The same
    ``submit_key`` (the form's) sent again returns the loan it made."""
    if not active(actor):
        raise PermissionDenied
    if submit_key is not None:
        earlier = Loan.objects.filter(requester=actor, submit_key=submit_key).first()
        if earlier is not None:
            return earlier
    if not selectors.items(actor).filter(pk=item.pk).exists():
        raise ValidationError({"item": [_("This item cannot be borrowed.")]})
    purpose = clean_line(purpose)
    if not purpose:
        raise ValidationError({"purpose": [_("Say what it is for.")]})
    if len(purpose) > PURPOSE_MAX:
        raise ValidationError(
            {"purpose": [_("At most %(max)d characters.") % {"max": PURPOSE_MAX}]}
        )
    _check_dates(item, start, end)
    quantity = _check_quantity(item, quantity)
    approval = approval_steps(
        purpose=PURPOSE, actor=actor, fallback_unit=item.managing_unit, fallback_role=LOAN_MANAGER
    )

    with item_lock(item.pk), transaction.atomic():
        locked = LoanItem.objects.select_for_update().get(pk=item.pk)
        free = locked.quantity - selectors.lent(locked, start, end)
        if quantity > free:
            raise LoanUnavailable(max(free, 0))
        number = "L{}-{:05d}".format(
            roc_year(timezone.localdate()),
            next_value(scope="portal:loan", year=roc_year(timezone.localdate())),
        )
        loan = Loan(
            number=number,
            item=locked,
            serial=locked.serial,
            requester=actor,
            unit=actor.organization,
            quantity=quantity,
            start=start,
            end=end,
            purpose=purpose,
            submit_key=submit_key,
        )
        try:
            with transaction.atomic():
                loan.save()
        except IntegrityError as exc:
            raise LoanUnavailable(0) from exc
        signoff_start(
            target=loan,
            started_by=actor,
            subject=_("Equipment loan: %(item)s, %(start)s–%(end)s")
            % {"item": locked.name, "start": start.isoformat(), "end": end.isoformat()},
            steps=approval,
        )
    return loan


def _decide(chain, status: str):
    loan = (
        Loan.objects.select_related("item", "requester").filter(pk=chain.target_object_id).first()
    )
    if loan is None:
        return None
    if not Loan.objects.filter(pk=loan.pk, status=LoanStatus.PENDING).update(status=status):
        return None
    loan.status = status
    return loan


def loan_approved(*, document, chain, outcome, comment, actor):
    loan = _decide(chain, LoanStatus.APPROVED)
    if loan is not None:
        loan_decided_notify(loan=loan, approved=True, comment=comment)


def loan_refused(*, document, chain, outcome, comment, actor):
    loan = _decide(chain, LoanStatus.REJECTED)
    if loan is not None:
        loan_decided_notify(loan=loan, approved=False, comment=comment)


def _condition(value, field: str) -> str:
    if value not in Condition.values:
        raise ValidationError({field: [_("Choose the condition.")]})
    return value


def _transition(loan: Loan, actor, *, old: str, new: str, fields: dict, message: str) -> Loan:
    locked = Loan.objects.select_for_update().select_related("item").get(pk=loan.pk)
    if not selectors.manages_item(actor, locked.item):
        raise PermissionDenied
    if locked.status != old:
        raise ValidationError(_("This loan is not in a state that allows this."))
    Loan.objects.filter(pk=locked.pk, status=old).update(status=new, **fields)
    locked.refresh_from_db()
    audit_record(
        action="update", obj=locked, actor=actor, changes={"status": [old, new]}, message=message
    )
    return locked


@transaction.atomic
def loan_checkout(*, loan: Loan, actor, condition: str, note: str = "") -> Loan:
    """Hand an approved loan's item over (a loan manager of the item), recording its condition."""
    if not active(actor):
        raise PermissionDenied
    condition = _condition(condition, "condition")
    if loan.start > timezone.localdate():
        raise ValidationError(
            {"condition": [_("The loan starts on %(day)s.") % {"day": loan.start.isoformat()}]}
        )
    return _transition(
        loan,
        actor,
        old=LoanStatus.APPROVED,
        new=LoanStatus.CHECKED_OUT,
        fields={
            "checked_out_at": timezone.now(),
            "checked_out_by": actor,
            "condition_out": condition,
            "note": clean_line(note)[:300],
        },
        message="checkout",
    )


@transaction.atomic
def loan_return(*, loan: Loan, actor, condition: str, note: str = "") -> Loan:
    """Take a lent item back (a loan manager of the item), recording its condition. The item
    is free again from that moment (a loan returned early frees its remaining days)."""
    if not active(actor):
        raise PermissionDenied
    condition = _condition(condition, "condition")
    today = timezone.localdate()
    fields = {
        "returned_at": timezone.now(),
        "returned_by": actor,
        "condition_in": condition,
        "note": clean_line(note)[:300],
    }
    return _transition(
        loan,
        actor,
        old=LoanStatus.CHECKED_OUT,
        new=LoanStatus.RETURNED,
        fields=fields,
        message="return" + (" (late)" if loan.end < today else ""),
    )


@transaction.atomic
def loan_cancel(*, loan: Loan, actor) -> Loan:
    """The requester withdraws a loan not yet collected; its approval chain is withdrawn."""
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    if not active(actor) or locked.requester_id != actor.pk:
        raise PermissionDenied
    if locked.status not in (LoanStatus.PENDING, LoanStatus.APPROVED):
        raise ValidationError(_("Only a loan not yet collected can be cancelled."))
    old = locked.status
    Loan.objects.filter(pk=locked.pk).update(status=LoanStatus.CANCELLED)
    locked.status = LoanStatus.CANCELLED
    audit_record(action="update", obj=locked, actor=actor, changes={"status": [old, locked.status]})
    chain = documents_selectors.open_chain_for(locked)
    if chain is not None:
        signoff_cancel(chain=chain, actor=chain.started_by, reason=_("The loan was cancelled."))
    return locked


def overdue_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the borrower of each lent item past its last day, once a day (claimed by a
    conditional update of ``reminded_on``). Returns how many were sent."""
    today = today or timezone.localdate()
    due = list(
        Loan.objects.filter(status=LoanStatus.CHECKED_OUT, end__lt=today)
        .exclude(reminded_on=today)
        .order_by("end")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = (
                Loan.objects.filter(pk=pk, status=LoanStatus.CHECKED_OUT)
                .exclude(reminded_on=today)
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            loan = Loan.objects.select_related("item", "requester").get(pk=pk)
            loan_overdue_notify(loan=loan)
            sent += 1
    return sent
