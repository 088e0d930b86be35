"""The sign-off engine: approval chains on any object.

A chain approves one ``target`` object of any model (a petition, a leave request, a property
movement, a document). It registers an official document only when its type needs one: then
``chain.document`` is set and the document's status follows the chain. Steps are a person, or a
role within a unit (``accounts.authz``); steps sharing an ``order`` are a parallel countersign
(會簽). Most apps start chains from a named template (``approvals.approval_start``); the steps
can also be given directly (``signoff_start(steps=...)``).

Concurrency: every action locks the chain row, then the step row (``SELECT ... FOR UPDATE``,
always in that order), and re-checks that the step is still pending; a second submit of the
same action raises ``StepAlreadyHandled`` and changes nothing.

The outcome reaches the target's app through ``documents.hooks.signoff_hooks`` inside the same
transaction: a handler that raises undoes the action.

Notices (``notifications``, in the same transaction as the change): when a step becomes
pending, the people who may act on it (``selectors.step_recipients``: its person or the role's
holders, and their delegates of the day) get a to-do about the step, linking to the chain's
page; it closes itself (``notice_resolve``) when the step is approved, returned, forwarded,
superseded or its chain ends. When a chain ends, the originator gets an information notice
(unless they ended it themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import authz
from accounts.models import Role
from core.choices import AuditAction
from core.models import Organization
from core.services import audit_record
from notifications.choices import NoticeKind
from notifications.services import notice_resolve, notify

from .. import selectors
from ..choices import (
    ActionKind,
    ChainStatus,
    DocumentStatus,
    ReturnTarget,
    SignOffOutcome,
    StepStatus,
)
from ..hooks import signoff_hooks
from ..models import ChainTemplate, Document, SignOffAction, SignOffChain, SignOffStep
from .errors import SignOffError, StepAlreadyHandled

# --- Step plans -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One planned step: ``user``, or ``unit`` + ``role`` (a role within a unit; a ``Role``
    or the code of a portal-wide role)."""

    order: int
    user: object | None = None
    unit: Organization | None = None
    role: Role | str | None = None

    def as_json(self) -> dict:
        if self.user is not None:
            return {"order": self.order, "user": self.user.pk}
        return {"order": self.order, "unit": self.unit.pk, "role": self.role.pk}


def _spec(item) -> StepSpec:
    if isinstance(item, StepSpec):
        spec = item
    elif isinstance(item, Mapping):
        spec = StepSpec(
            order=item.get("order"),
            user=item.get("user"),
            unit=item.get("unit"),
            role=item.get("role"),
        )
    else:
        raise TypeError(f"a step must be a StepSpec or a mapping, not {type(item).__name__}")
    if isinstance(spec.role, str):
        role = Role.objects.filter(application__isnull=True, code=spec.role).first()
        spec = StepSpec(order=spec.order, user=spec.user, unit=spec.unit, role=role or spec.role)
    return spec


def _validate_specs(specs: list[StepSpec]) -> None:
    if not specs:
        raise ValidationError({"steps": _("A sign-off chain needs at least one step.")})
    errors = []
    seen = set()
    for n, spec in enumerate(specs, start=1):
        if not isinstance(spec.order, int) or isinstance(spec.order, bool) or spec.order < 1:
            errors.append(_("Step %(n)d: the order must be a whole number from 1.") % {"n": n})
            continue
        if spec.user is not None:
            if spec.unit is not None or spec.role is not None:
                errors.append(_("Step %(n)d: give a person or a role, not both.") % {"n": n})
            elif not getattr(spec.user, "is_active", False):
                errors.append(
                    _("Step %(n)d: %(user)s is not active.") % {"n": n, "user": spec.user}
                )
            key = (spec.order, "user", getattr(spec.user, "pk", None))
        elif spec.unit is not None and isinstance(spec.role, Role):
            key = (spec.order, "role", spec.unit.pk, spec.role.pk)
        elif spec.unit is not None and spec.role is not None:
            errors.append(_("Step %(n)d: no role “%(role)s”.") % {"n": n, "role": spec.role})
            continue
        else:
            errors.append(_("Step %(n)d: give a person, or a unit and a role.") % {"n": n})
            continue
        if key in seen:
            errors.append(_("Step %(n)d appears twice in the same order.") % {"n": n})
        seen.add(key)
    if errors:
        raise ValidationError({"steps": errors})


def _specs_from_json(plan: list[dict]) -> list[StepSpec]:
    users = get_user_model().objects.in_bulk([p["user"] for p in plan if "user" in p])
    units = Organization.objects.in_bulk([p["unit"] for p in plan if "unit" in p])
    roles = Role.objects.in_bulk([p["role"] for p in plan if "role" in p])
    specs = []
    for p in plan:
        if "user" in p:
            specs.append(StepSpec(order=p["order"], user=users.get(p["user"])))
        else:
            specs.append(
                StepSpec(order=p["order"], unit=units.get(p["unit"]), role=roles.get(p["role"]))
            )
    return specs


# --- Timeline and state -----------------------------------------------------------------------


def _audit_object(chain: SignOffChain):
    return chain.document if chain.document_id else chain.target


def _action(
    *,
    chain,
    kind,
    actor,
    step=None,
    on_behalf_of_id=None,
    target=None,
    comment="",
    now=None,
) -> SignOffAction:
    action = SignOffAction(
        chain=chain,
        step=step,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        on_behalf_of_id=on_behalf_of_id,
        target=target,
        comment=comment,
        created_at=now or timezone.now(),
    )
    action.full_clean()
    action.save()
    message = f"sign-off {kind} (chain {chain.pk}"
    if step is not None:
        message += f", step {step.pk}, order {step.order}"
    if on_behalf_of_id:
        message += f", on behalf of user {on_behalf_of_id}"
    if target is not None:
        message += f", to user {target.pk}"
    message += ")"
    audit_record(
        action=AuditAction.UPDATE,
        obj=_audit_object(chain),
        actor=actor if getattr(actor, "pk", None) else None,
        message=message,
    )
    return action


def _activate(chain: SignOffChain, order: int, now) -> None:
    chain.steps.filter(order=order, status=StepStatus.WAITING).update(
        status=StepStatus.PENDING, activated_at=now
    )
    SignOffChain.objects.filter(pk=chain.pk).update(current_order=order, updated_at=now)
    chain.current_order = order
    _steps_announce(chain, chain.steps.filter(order=order, status=StepStatus.PENDING))


# --- Notices ----------------------------------------------------------------------------------

TEMPLATE_PENDING = "documents.signoff_pending"
TEMPLATE_OVERDUE = "documents.signoff_overdue"
TEMPLATE_FINISHED = "documents.signoff_finished"


def step_notice_due(chain: SignOffChain) -> datetime | None:
    """The chain's deadline (a date) as the end of that day, local time."""
    if chain.deadline is None:
        return None
    return timezone.make_aware(datetime.combine(chain.deadline, time(23, 59, 59)))


def step_notice_context(step: SignOffStep, chain: SignOffChain | None = None) -> dict:
    """What the step notice templates (``templates/notifications/messages/documents.*``, or
    the admin's ``MessageTemplate`` rows of those codes) are given."""
    chain = chain or step.chain
    document = chain.document if chain.document_id else None
    return {
        "chain": chain,
        "document": document,
        "step": step,
        "number": document.number if document else "",
        "subject": chain.subject,
        "kind": chain.target_content_type.name,
        "unit": document.unit if document else chain.requester_unit,
        "deadline": chain.deadline,
    }


def _steps_announce(chain: SignOffChain, steps: Iterable[SignOffStep]) -> None:
    """A to-do about each newly pending step to the people who may act on it."""
    today = timezone.localdate()
    for step in steps:
        step.chain = chain
        notify(
            recipients=selectors.step_recipients(step, day=today),
            kind=NoticeKind.TODO,
            template=TEMPLATE_PENDING,
            obj=step,
            link=chain.get_absolute_url(),
            context=step_notice_context(step, chain),
            due=step_notice_due(chain),
            source="documents",
        )


def _steps_close(steps: Iterable[SignOffStep]) -> None:
    """The open to-dos about these steps (pending and overdue notices) are done."""
    for step in steps:
        notice_resolve(obj=step)


def _chain_notices_close(chain: SignOffChain, *, outcome: str, comment: str, actor) -> None:
    """The chain ended: no step waits any more, and the originator hears how it ended."""
    _steps_close(SignOffStep.objects.filter(chain_id=chain.pk))
    originator = chain.started_by
    if originator is None or getattr(actor, "pk", None) == originator.pk:
        return
    notify(
        recipients=[originator],
        kind=NoticeKind.INFORMATION,
        template=TEMPLATE_FINISHED,
        obj=chain,
        context={
            "chain": chain,
            "document": chain.document if chain.document_id else None,
            "number": chain.document.number if chain.document_id else "",
            "subject": chain.subject,
            "kind": chain.target_content_type.name,
            "outcome": outcome,
            "comment": comment,
            "actor": actor if getattr(actor, "pk", None) else None,
        },
        source="documents",
    )


def _set_document_status(document: Document | None, *, old: Iterable[str], new: str, now) -> None:
    if document is None:
        return
    old = list(old)
    updated = Document.objects.filter(pk=document.pk, status__in=old).update(
        status=new, updated_at=now
    )
    if updated:
        before = document.status
        document.status = new
        if hasattr(document, "_audit_snapshot"):
            document._audit_snapshot["status"] = new
        audit_record(
            action=AuditAction.UPDATE,
            obj=document,
            changes={"status": [before, new]},
            message="document status",
        )


# --- Starting ---------------------------------------------------------------------------------


def _target_of(document: Document | None, target):
    """What the chain approves: ``target``, else the document's source object, else the
    document itself."""
    if target is not None:
        if target.pk is None:
            raise ValidationError({"target": _("The object to approve must be saved first.")})
        return target
    if document is None:
        raise ValidationError({"target": _("Say what the sign-off approves.")})
    if document.source_content_type_id:
        return document.source or document
    return document


@transaction.atomic
def signoff_start(
    *,
    started_by,
    steps: Sequence | None = None,
    template: ChainTemplate | None = None,
    target=None,
    document: Document | None = None,
    subject: str = "",
    deadline: date | None = None,
    requester_unit: Organization | None = None,
) -> SignOffChain:
    """Start a chain approving ``target`` (default: ``document``'s source object, or the
    document). Give ``steps`` (``StepSpec`` or dicts with ``order`` and ``user``, or ``order``,
    ``unit`` and ``role``) or a ``template`` (resolved for ``started_by`` and
    ``requester_unit``). With a ``document``, it must be registered or returned, and its status
    follows the chain. The steps of the lowest order become pending."""
    if (steps is None) == (template is None):
        raise ValueError("give either steps or template")
    if template is not None:
        steps = template_steps_resolve(
            template=template,
            requester=started_by,
            requester_unit=requester_unit or getattr(started_by, "organization", None),
        )
    specs = [_spec(item) for item in steps]
    _validate_specs(specs)
    locked = None
    if document is not None:
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status not in (DocumentStatus.REGISTERED, DocumentStatus.RETURNED):
            raise SignOffError(
                _("A sign-off can only start on a registered or returned document (now: %(s)s).")
                % {"s": locked.get_status_display()}
            )
    obj = _target_of(locked, target)
    content_type = ContentType.objects.get_for_model(obj)
    if SignOffChain.objects.filter(
        target_content_type=content_type,
        target_object_id=str(obj.pk),
        status=ChainStatus.IN_PROGRESS,
    ).exists():
        raise SignOffError(_("This item is already in sign-off."))
    now = timezone.now()
    chain = SignOffChain(
        target_content_type=content_type,
        target_object_id=str(obj.pk),
        document=locked,
        template=template,
        subject=(subject or (locked.subject if locked else str(obj)))[:300],
        deadline=deadline or (locked.deadline if locked else None),
        requester_unit=requester_unit
        or (locked.unit if locked else getattr(started_by, "organization", None)),
        status=ChainStatus.IN_PROGRESS,
        started_by=started_by if getattr(started_by, "pk", None) else None,
        spec=[spec.as_json() for spec in specs],
    )
    chain.full_clean()
    chain.save()
    rows = [
        SignOffStep(
            chain=chain,
            order=spec.order,
            assignee=spec.user,
            role_unit=spec.unit if spec.user is None else None,
            role=spec.role if spec.user is None else None,
            status=StepStatus.WAITING,
        )
        for spec in sorted(specs, key=lambda s: s.order)
    ]
    for row in rows:
        row.full_clean(exclude=["chain"])
    SignOffStep.objects.bulk_create(rows)
    _action(chain=chain, kind=ActionKind.START, actor=started_by, now=now)
    _activate(chain, min(spec.order for spec in specs), now)
    _set_document_status(
        locked,
        old=[DocumentStatus.REGISTERED, DocumentStatus.RETURNED],
        new=DocumentStatus.IN_SIGNOFF,
        now=now,
    )
    if document is not None:
        document.status = locked.status
    return chain


@transaction.atomic
def signoff_restart(*, chain: SignOffChain, actor) -> SignOffChain:
    """Start a returned chain again with the same step plan (after the originator's changes)."""
    chain = SignOffChain.objects.select_for_update().get(pk=chain.pk)
    if chain.status != ChainStatus.RETURNED:
        raise SignOffError(_("Only a returned sign-off can be submitted again."))
    if not (actor.is_superuser or actor.pk == chain.started_by_id):
        raise PermissionDenied(_("Only the originator can submit the document again."))
    return signoff_start(
        target=chain.target,
        document=chain.document,
        steps=_specs_from_json(chain.spec),
        started_by=actor,
        subject=chain.subject,
        deadline=chain.deadline,
        requester_unit=chain.requester_unit,
    )


# --- Templates --------------------------------------------------------------------------------


def _unit_up(unit: Organization | None, levels: int) -> Organization | None:
    for _level in range(levels):
        if unit is None:
            return None
        unit = unit.parent
    return unit


def template_steps_resolve(
    *, template: ChainTemplate, requester, requester_unit: Organization | None
) -> list[StepSpec]:
    """The concrete steps of ``template`` for a request from ``requester`` in
    ``requester_unit``:

    * a person step is that person;
    * a role step is the role in its unit (empty: the requester's unit, ``levels_up`` above);
    * a unit-head step is the head of that unit (``accounts.authz.unit_head``), or its first
      deputy when the post is vacant; when that is the requester, the head of the unit above.
    ValidationError naming the step when a unit or head cannot be found.
    """
    errors = []
    specs = []
    requester_id = getattr(requester, "pk", None)
    for step in template.steps.all():
        unit = _unit_up(step.unit or requester_unit, step.levels_up)
        if step.kind == "person":
            specs.append(StepSpec(order=step.order, user=step.user))
            continue
        if unit is None:
            errors.append(
                _("Step %(n)d: the requester has no unit to take it from.") % {"n": step.order}
            )
            continue
        if step.kind == "role":
            specs.append(StepSpec(order=step.order, unit=unit, role=step.role))
            continue
        person = None
        while unit is not None and person is None:
            officers = [u for u in authz.unit_officers(unit) if u.pk != requester_id]
            person = officers[0] if officers else None
            if person is None:
                unit = unit.parent
        if person is None:
            errors.append(_("Step %(n)d: the unit has no head to approve.") % {"n": step.order})
            continue
        specs.append(StepSpec(order=step.order, user=person))
    if errors:
        raise ValidationError({"template": errors})
    # The same person twice in one order (e.g. head and named person): keep one.
    unique, seen = [], set()
    for spec in specs:
        key = (
            spec.order,
            getattr(spec.user, "pk", None),
            getattr(spec.unit, "pk", None),
            getattr(spec.role, "pk", None),
        )
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    return unique


# --- Acting -----------------------------------------------------------------------------------


def _lock(step: SignOffStep, actor) -> tuple[SignOffChain, SignOffStep, int | None]:
    """Lock chain then step, re-check both, and check the actor may act (fresh rights)."""
    chain = (
        SignOffChain.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(pk=step.chain_id)
        .first()
    )
    locked = SignOffStep.objects.select_for_update(of=("self",)).select_related("role")
    locked = locked.filter(pk=step.pk).first()
    if chain is None or locked is None:
        raise StepAlreadyHandled(_("This sign-off step no longer exists."))
    if chain.status != ChainStatus.IN_PROGRESS or locked.status != StepStatus.PENDING:
        raise StepAlreadyHandled(_("This step has already been handled."))
    allowed, behalf = selectors.step_actor(locked, actor, fresh=True)
    if not allowed:
        raise PermissionDenied(_("You may not act on this sign-off step."))
    return chain, locked, behalf


def _close_step(step: SignOffStep, *, status, actor, behalf, comment, now) -> None:
    updated = SignOffStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=status,
        acted_by=actor,
        on_behalf_of_id=behalf,
        acted_at=now,
        comment=comment,
    )
    if updated != 1:  # pragma: no cover - the row is locked; kept as a guard
        raise StepAlreadyHandled(_("This step has already been handled."))
    step.status = status
    step.acted_by = actor
    step.on_behalf_of_id = behalf
    step.acted_at = now
    step.comment = comment


def _notify(chain: SignOffChain, *, outcome: str, comment: str, actor) -> None:
    """Tell the target's app through its registered hook."""
    model = chain.target_content_type.model_class()
    hookset = signoff_hooks.get(model) if model is not None else None
    if hookset is None:
        return
    if outcome == SignOffOutcome.APPROVED:
        handler = hookset.completed
    elif outcome == SignOffOutcome.CANCELLED:
        handler = hookset.cancelled or hookset.returned
    else:
        handler = hookset.returned
    if handler is not None:
        handler(
            document=chain.document,
            chain=chain,
            outcome=outcome,
            comment=comment,
            actor=actor,
        )


def _finish(chain: SignOffChain, *, status: str, outcome: str, comment: str, actor, now) -> None:
    SignOffChain.objects.filter(pk=chain.pk, status=ChainStatus.IN_PROGRESS).update(
        status=status, completed_at=now, updated_at=now
    )
    chain.status = status
    chain.completed_at = now
    new_status = (
        DocumentStatus.APPROVED if outcome == SignOffOutcome.APPROVED else DocumentStatus.RETURNED
    )
    _set_document_status(chain.document, old=[DocumentStatus.IN_SIGNOFF], new=new_status, now=now)
    _notify(chain, outcome=outcome, comment=comment, actor=actor)
    _chain_notices_close(chain, outcome=outcome, comment=comment, actor=actor)


def _approve_check(chain: SignOffChain, step: SignOffStep, actor) -> None:
    """The target's app may refuse an approval (``approve_check`` of its hooks)."""
    model = chain.target_content_type.model_class()
    hookset = signoff_hooks.get(model) if model is not None else None
    if hookset is not None and hookset.approve_check is not None:
        hookset.approve_check(chain=chain, step=step, actor=actor)


@transaction.atomic
def signoff_approve(*, step: SignOffStep, actor, comment: str = "") -> SignOffAction:
    """Approve a pending step. When every step of its order is approved the next order
    becomes pending; after the last one the chain is approved and the target's app told."""
    chain, step, behalf = _lock(step, actor)
    _approve_check(chain, step, actor)
    now = timezone.now()
    comment = (comment or "").strip()
    _close_step(
        step, status=StepStatus.APPROVED, actor=actor, behalf=behalf, comment=comment, now=now
    )
    _steps_close([step])
    action = _action(
        chain=chain,
        kind=ActionKind.APPROVE,
        actor=actor,
        step=step,
        on_behalf_of_id=behalf,
        comment=comment,
        now=now,
    )
    open_in_order = chain.steps.filter(
        order=step.order, status__in=[StepStatus.WAITING, StepStatus.PENDING]
    ).exists()
    if not open_in_order:
        next_order = chain.steps.filter(status=StepStatus.WAITING, order__gt=step.order).aggregate(
            n=Min("order")
        )["n"]
        if next_order is not None:
            _activate(chain, next_order, now)
        else:
            _finish(
                chain,
                status=ChainStatus.APPROVED,
                outcome=SignOffOutcome.APPROVED,
                comment=comment,
                actor=actor,
                now=now,
            )
    return action


def _copy(step: SignOffStep, *, status, now) -> SignOffStep:
    return SignOffStep(
        chain_id=step.chain_id,
        order=step.order,
        assignee_id=step.assignee_id,
        role_unit_id=step.role_unit_id,
        role_id=step.role_id,
        status=status,
        activated_at=now if status == StepStatus.PENDING else None,
        previous=step,
    )


@transaction.atomic
def signoff_return(
    *,
    step: SignOffStep,
    actor,
    comment: str,
    to: str = ReturnTarget.ORIGINATOR,
) -> SignOffAction:
    """Return a pending step with a comment (required).

    * to the originator (default): the chain ends as returned (and its document, if any) and
      the target's app is told; the originator may start it again (``signoff_restart``);
    * to the previous step: the previous order's signers get it back and every step from
      there on signs again. On the first order this is the same as the originator.
    """
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why you return the document.")})
    if to not in ReturnTarget.values:
        raise ValidationError({"to": _("Choose where to return the document.")})
    chain, step, behalf = _lock(step, actor)
    now = timezone.now()
    _close_step(
        step, status=StepStatus.RETURNED, actor=actor, behalf=behalf, comment=comment, now=now
    )
    _steps_close([step])
    action = _action(
        chain=chain,
        kind=ActionKind.RETURN,
        actor=actor,
        step=step,
        on_behalf_of_id=behalf,
        comment=comment,
        now=now,
    )
    previous_order = None
    if to == ReturnTarget.PREVIOUS:
        previous_order = chain.steps.filter(
            order__lt=step.order, status=StepStatus.APPROVED
        ).aggregate(n=Max("order"))["n"]
    if previous_order is None:
        chain.steps.filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]).update(
            status=StepStatus.CANCELLED
        )
        _finish(
            chain,
            status=ChainStatus.RETURNED,
            outcome=SignOffOutcome.RETURNED,
            comment=comment,
            actor=actor,
            now=now,
        )
        return action
    # Re-open: the previous order signs again, then this order (including the returner).
    current = list(
        chain.steps.filter(order=step.order, status__in=[StepStatus.PENDING, StepStatus.APPROVED])
    )
    earlier = list(chain.steps.filter(order=previous_order, status=StepStatus.APPROVED))
    copies = [_copy(step, status=StepStatus.WAITING, now=now)]
    copies += [_copy(s, status=StepStatus.WAITING, now=now) for s in current]
    copies += [_copy(s, status=StepStatus.PENDING, now=now) for s in earlier]
    SignOffStep.objects.filter(pk__in=[s.pk for s in current + earlier]).update(
        status=StepStatus.SUPERSEDED
    )
    SignOffStep.objects.bulk_create(copies)
    SignOffChain.objects.filter(pk=chain.pk).update(current_order=previous_order, updated_at=now)
    chain.current_order = previous_order
    _steps_close(s for s in current if s.status == StepStatus.PENDING)
    _steps_announce(chain, chain.steps.filter(order=previous_order, status=StepStatus.PENDING))
    return action


@transaction.atomic
def signoff_forward(*, step: SignOffStep, actor, to_user, comment: str = "") -> SignOffAction:
    """Hand a pending step to another person, who then acts on it in the same place."""
    if to_user is None or not getattr(to_user, "is_active", False):
        raise ValidationError({"forward_to": _("Choose an active colleague to forward to.")})
    if to_user.pk == actor.pk:
        raise ValidationError({"forward_to": _("You cannot forward a step to yourself.")})
    chain, step, behalf = _lock(step, actor)
    if step.assignee_id == to_user.pk:
        raise ValidationError({"forward_to": _("This step is already assigned to that person.")})
    now = timezone.now()
    comment = (comment or "").strip()
    _close_step(
        step, status=StepStatus.FORWARDED, actor=actor, behalf=behalf, comment=comment, now=now
    )
    new_step = SignOffStep(
        chain=chain,
        order=step.order,
        assignee=to_user,
        status=StepStatus.PENDING,
        activated_at=now,
        previous=step,
    )
    new_step.full_clean()
    new_step.save()
    action = _action(
        chain=chain,
        kind=ActionKind.FORWARD,
        actor=actor,
        step=step,
        on_behalf_of_id=behalf,
        target=to_user,
        comment=comment,
        now=now,
    )
    _steps_close([step])
    _steps_announce(chain, [new_step])
    return action


@transaction.atomic
def signoff_cancel(*, chain: SignOffChain, actor, reason: str) -> SignOffAction:
    """Withdraw an open chain (originator or superuser). Its document, if any, is registered
    again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the sign-off is cancelled.")})
    locked = (
        SignOffChain.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=chain.pk)
    )
    if locked.status != ChainStatus.IN_PROGRESS:
        raise StepAlreadyHandled(_("This sign-off has already ended."))
    if not (actor.is_superuser or actor.pk == locked.started_by_id):
        raise PermissionDenied(_("Only the originator can cancel this sign-off."))
    now = timezone.now()
    locked.steps.filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]).update(
        status=StepStatus.CANCELLED
    )
    SignOffChain.objects.filter(pk=locked.pk).update(
        status=ChainStatus.CANCELLED, completed_at=now, updated_at=now
    )
    locked.status = ChainStatus.CANCELLED
    _set_document_status(
        locked.document,
        old=[DocumentStatus.IN_SIGNOFF],
        new=DocumentStatus.REGISTERED,
        now=now,
    )
    chain.status = locked.status
    action = _action(chain=locked, kind=ActionKind.CANCEL, actor=actor, comment=reason, now=now)
    _notify(locked, outcome=SignOffOutcome.CANCELLED, comment=reason, actor=actor)
    _chain_notices_close(locked, outcome=ChainStatus.CANCELLED, comment=reason, actor=actor)
    return action
