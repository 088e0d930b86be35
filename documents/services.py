"""Writes of the document register and the sign-off engine.

Other apps call these, never the models:

* ``document_register(...)``: a new register entry with its number (字號);
* ``document_register_with_signoff(steps=, started_by=, ...)``: both in one transaction;
* ``signoff_start(document=, steps=, started_by=)``: start a chain; ``steps`` is a list of
  ``StepSpec`` (or dicts with ``order`` and ``user``, or ``order``, ``unit`` and ``group``);
  steps sharing an ``order`` are a parallel countersign (會簽);
* ``signoff_approve`` / ``signoff_return`` / ``signoff_forward`` / ``signoff_cancel``.

The outcome reaches the source app through ``documents.hooks.signoff_hooks`` and the
``documents.signals`` signals, inside the same transaction.

Concurrency: every sign-off action locks the chain row, then the step row
(``SELECT ... FOR UPDATE``, always in that order), and re-checks that the step is still
pending; a second submit of the same action raises ``StepAlreadyHandled`` and changes nothing.
Document numbers come from a counter row per (unit, ROC year) locked in the transaction that
inserts the document, so a rollback returns the serial and numbers have no gaps.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import AuditAction
from core.models import Organization
from core.services import audit_record

from . import selectors
from .choices import (
    ActionKind,
    ChainStatus,
    DocumentCategory,
    DocumentStatus,
    ReturnTarget,
    SecurityLevel,
    SignOffOutcome,
    StepStatus,
)
from .constants import MAX_ATTACHMENTS, MAX_SERIAL, MINISTRY_PREFIX, UNIT_NAME_LEADERS
from .hooks import signoff_hooks
from .models import (
    Attachment,
    Delegation,
    Document,
    DocumentCounter,
    DocumentSeries,
    SignOffAction,
    SignOffChain,
    SignOffReminder,
    SignOffStep,
    roc_year,
)
from .signals import signoff_completed, signoff_returned
from .validators import check_attachment

logger = logging.getLogger(__name__)


class SignOffError(Exception):
    """A sign-off action that cannot be taken in the chain's current state."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StepAlreadyHandled(SignOffError):
    """The step is no longer pending (already acted on, e.g. a double submit)."""


# --- Numbering --------------------------------------------------------------------------------


def default_prefix(unit: Organization, *, taken: Iterable[str] = ()) -> str:
    """勞動 + the unit's first distinctive character (資訊處 → 勞動資, 勞動力發展署 → 勞動發);
    on a clash with another unit, two characters, then a digit (勞動保1)."""
    taken = set(taken)
    name = unit.name_zh.strip()
    for leader in UNIT_NAME_LEADERS:
        if name.startswith(leader) and len(name) > len(leader):
            name = name[len(leader) :]
            break
    name = name or unit.code
    candidates = [MINISTRY_PREFIX + name[:1], MINISTRY_PREFIX + name[:2]]
    candidates += [f"{MINISTRY_PREFIX}{name[:1]}{n}" for n in range(1, 100)]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    return f"{MINISTRY_PREFIX}{unit.code}"  # pragma: no cover - a hundred clashes


def document_series_for_unit(*, unit: Organization) -> DocumentSeries:
    """The unit's number series, created with the default prefix on first use."""
    series = DocumentSeries.objects.filter(unit=unit).first()
    if series is not None:
        return series
    for _attempt in range(5):
        taken = set(DocumentSeries.objects.values_list("prefix", flat=True))
        prefix = default_prefix(unit, taken=taken)
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent first use of the unit (or of the
        # same prefix by another unit) does not fail the transaction.
        DocumentSeries.objects.bulk_create(
            [DocumentSeries(unit=unit, prefix=prefix)], ignore_conflicts=True
        )
        series = DocumentSeries.objects.filter(unit=unit).first()
        if series is not None:
            return series
    raise ValidationError({"unit": _("No number series could be created for this unit.")})


@transaction.atomic
def document_series_set_prefix(*, series: DocumentSeries, prefix: str) -> DocumentSeries:
    series.prefix = prefix.strip()
    series.full_clean()
    series.save()
    return series


def allocate_serial(*, unit: Organization, year: int) -> int:
    """The next serial of (unit, year). Must run inside the caller's transaction: the counter
    row stays locked until it commits, and a rollback gives the serial back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_serial() must be called inside transaction.atomic()")
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(unit=unit, roc_year=year, last_serial=0)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(unit=unit, roc_year=year)
    serial = counter.last_serial + 1
    if serial > MAX_SERIAL:
        raise ValidationError(
            _("The unit has used every document number of year %(year)s."), params={"year": year}
        )
    DocumentCounter.objects.filter(pk=counter.pk).update(last_serial=serial)
    return serial


# --- Register ---------------------------------------------------------------------------------


def _source_fields(source) -> dict:
    if source is None:
        return {"source_content_type": None, "source_object_id": ""}
    if source.pk is None:
        raise ValidationError({"source": _("The source object must be saved first.")})
    return {
        "source_content_type": ContentType.objects.get_for_model(source),
        "source_object_id": str(source.pk),
    }


def _check_attachments(attachments: Sequence) -> list:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)d attachments can be added at once.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = []
    errors = []
    for upload in attachments:
        try:
            checked.append((upload, check_attachment(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _save_attachment(*, document: Document, upload, checked, uploaded_by) -> Attachment:
    attachment = Attachment(
        document=document,
        original_name=checked.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


def document_register(
    *,
    unit: Organization,
    subject: str,
    registered_by=None,
    sender: str = "",
    receiver: str = "",
    category: str = DocumentCategory.INCOMING,
    security_level: str = SecurityLevel.ORDINARY,
    description: str = "",
    deadline: date | None = None,
    source=None,
    external_system: str = "",
    external_id: str = "",
    attachments: Sequence = (),
) -> Document:
    """Register a document and give it the next number of its unit and ROC year.

    With ``external_system``/``external_id`` the call is idempotent: the same reference
    returns the document registered first (``document.created`` tells which happened).
    """
    external_system = (external_system or "").strip()
    external_id = (external_id or "").strip()
    if external_id:
        existing = Document.objects.filter(
            external_system=external_system, external_id=external_id
        ).first()
        if existing is not None:
            existing.created = False
            return existing
    document = Document(
        unit=unit,
        subject=(subject or "").strip(),
        sender=(sender or "").strip(),
        receiver=(receiver or "").strip(),
        category=category,
        security_level=security_level,
        description=description or "",
        deadline=deadline,
        status=DocumentStatus.REGISTERED,
        registered_by=registered_by if getattr(registered_by, "pk", None) else None,
        external_system=external_system,
        external_id=external_id,
        **_source_fields(source),
    )
    # Everything the caller can get wrong is checked before a number is taken.
    document.full_clean(
        exclude=["number", "roc_year", "serial"], validate_unique=False, validate_constraints=False
    )
    checked = _check_attachments(list(attachments))
    year = roc_year()
    try:
        with transaction.atomic():
            series = document_series_for_unit(unit=unit)
            serial = allocate_serial(unit=unit, year=year)
            document.roc_year = year
            document.serial = serial
            document.number = Document.format_number(series.prefix, year, serial)
            document.full_clean(validate_unique=False, validate_constraints=False)
            document.save()
            for upload, info in checked:
                _save_attachment(
                    document=document, upload=upload, checked=info, uploaded_by=registered_by
                )
    except IntegrityError:
        if external_id:
            existing = Document.objects.filter(
                external_system=external_system, external_id=external_id
            ).first()
            if existing is not None:
                existing.created = False
                return existing
        raise
    document.created = True
    return document


@transaction.atomic
def document_register_with_signoff(*, steps: Sequence, started_by, **fields) -> Document:
    """Register a document and start its sign-off in one transaction: if the steps are
    refused, nothing is saved and no number is used. With an external reference already
    registered, the first document is returned untouched."""
    document = document_register(**fields)
    if steps and document.created:
        signoff_start(document=document, steps=steps, started_by=started_by)
    return document


EDITABLE_FIELDS = (
    "subject",
    "sender",
    "receiver",
    "category",
    "security_level",
    "description",
    "deadline",
)


@transaction.atomic
def document_update(*, document: Document, **changes) -> Document:
    """Change the descriptive fields of a document (never its number)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(document, name, value)
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def attachment_add(*, document: Document, upload, uploaded_by) -> Attachment:
    [(upload, info)] = _check_attachments([upload])
    attachment = _save_attachment(
        document=document, upload=upload, checked=info, uploaded_by=uploaded_by
    )
    audit_record(
        action=AuditAction.UPDATE,
        obj=document,
        actor=uploaded_by,
        message=f"attachment added: {attachment.original_name}",
    )
    return attachment


@transaction.atomic
def document_close(*, document: Document, closed_by) -> Document:
    """Close (file) an approved or registered document."""
    updated = Document.objects.filter(
        pk=document.pk, status__in=[DocumentStatus.APPROVED, DocumentStatus.REGISTERED]
    ).update(status=DocumentStatus.CLOSED, updated_at=timezone.now())
    if not updated:
        raise SignOffError(_("Only registered or approved documents can be closed."))
    document.refresh_from_db()
    audit_record(
        action=AuditAction.UPDATE,
        obj=document,
        actor=closed_by,
        changes={"status": [DocumentStatus.APPROVED, DocumentStatus.CLOSED]},
        message="document closed",
    )
    return document


# --- Sign-off: starting -----------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One planned step: ``user``, or ``unit`` + ``group`` (a role within a unit)."""

    order: int
    user: object | None = None
    unit: Organization | None = None
    group: Group | None = None

    def as_json(self) -> dict:
        if self.user is not None:
            return {"order": self.order, "user": self.user.pk}
        return {"order": self.order, "unit": self.unit.pk, "group": self.group.pk}


def _spec(item) -> StepSpec:
    if isinstance(item, StepSpec):
        return item
    if isinstance(item, Mapping):
        return StepSpec(
            order=item.get("order"),
            user=item.get("user"),
            unit=item.get("unit"),
            group=item.get("group"),
        )
    raise TypeError(f"a step must be a StepSpec or a mapping, not {type(item).__name__}")


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
            if spec.unit is not None or spec.group is not None:
                errors.append(_("Step %(n)d: give a person or a role, not both.") % {"n": n})
            elif not getattr(spec.user, "is_active", False):
                errors.append(
                    _("Step %(n)d: %(user)s is not active.") % {"n": n, "user": spec.user}
                )
            key = (spec.order, "user", getattr(spec.user, "pk", None))
        elif spec.unit is not None and spec.group is not None:
            key = (spec.order, "role", spec.unit.pk, spec.group.pk)
        else:
            errors.append(_("Step %(n)d: give a person, or a unit and a role.") % {"n": n})
            continue
        if key in seen:
            errors.append(_("Step %(n)d appears twice in the same order.") % {"n": n})
        seen.add(key)
    if errors:
        raise ValidationError({"steps": errors})


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
        obj=chain.document,
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


def _set_document_status(document: Document, *, old: Iterable[str], new: str, now) -> None:
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


@transaction.atomic
def signoff_start(*, document: Document, steps: Sequence, started_by) -> SignOffChain:
    """Start a sign-off chain on ``document``. The steps of the lowest order become pending."""
    specs = [_spec(item) for item in steps]
    _validate_specs(specs)
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.status not in (DocumentStatus.REGISTERED, DocumentStatus.RETURNED):
        raise SignOffError(
            _("A sign-off can only start on a registered or returned document (now: %(s)s).")
            % {"s": locked.get_status_display()}
        )
    now = timezone.now()
    chain = SignOffChain(
        document=locked,
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
            role_group=spec.group if spec.user is None else None,
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
    document.status = locked.status
    return chain


def _specs_from_json(plan: list[dict]) -> list[StepSpec]:
    user_model = get_user_model()
    users = user_model.objects.in_bulk([p["user"] for p in plan if "user" in p])
    units = Organization.objects.in_bulk([p["unit"] for p in plan if "unit" in p])
    groups = Group.objects.in_bulk([p["group"] for p in plan if "group" in p])
    specs = []
    for p in plan:
        if "user" in p:
            specs.append(StepSpec(order=p["order"], user=users.get(p["user"])))
        else:
            specs.append(
                StepSpec(order=p["order"], unit=units.get(p["unit"]), group=groups.get(p["group"]))
            )
    return specs


@transaction.atomic
def signoff_restart(*, chain: SignOffChain, started_by) -> SignOffChain:
    """Start a returned chain again with the same step plan (after the originator's changes)."""
    chain = SignOffChain.objects.select_for_update().get(pk=chain.pk)
    if chain.status != ChainStatus.RETURNED:
        raise SignOffError(_("Only a returned sign-off can be submitted again."))
    if not (started_by.is_superuser or started_by.pk == chain.started_by_id):
        raise PermissionDenied(_("Only the originator can submit the document again."))
    return signoff_start(
        document=chain.document, steps=_specs_from_json(chain.spec), started_by=started_by
    )


# --- Sign-off: acting -------------------------------------------------------------------------


def _lock(step: SignOffStep, user) -> tuple[SignOffChain, SignOffStep, int | None]:
    """Lock chain then step, re-check both, and check the user may act (fresh rights)."""
    chain = (
        SignOffChain.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(pk=step.chain_id)
        .first()
    )
    locked = SignOffStep.objects.select_for_update().filter(pk=step.pk).first()
    if chain is None or locked is None:
        raise StepAlreadyHandled(_("This sign-off step no longer exists."))
    if chain.status != ChainStatus.IN_PROGRESS or locked.status != StepStatus.PENDING:
        raise StepAlreadyHandled(_("This step has already been handled."))
    allowed, behalf = selectors.step_actor(locked, user, fresh=True)
    if not allowed:
        raise PermissionDenied(_("You may not act on this sign-off step."))
    return chain, locked, behalf


def _close_step(step: SignOffStep, *, status, user, behalf, comment, now) -> None:
    updated = SignOffStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=status,
        acted_by=user,
        on_behalf_of_id=behalf,
        acted_at=now,
        comment=comment,
    )
    if updated != 1:  # pragma: no cover - the row is locked; kept as a guard
        raise StepAlreadyHandled(_("This step has already been handled."))
    step.status = status
    step.acted_by = user
    step.on_behalf_of_id = behalf
    step.acted_at = now
    step.comment = comment


def _notify(chain: SignOffChain, *, outcome: str, comment: str, actor) -> None:
    """Tell the source app: its registered hook first, then the signal."""
    document = chain.document
    source_model = Document
    if document.source_content_type_id:
        source_model = document.source_content_type.model_class() or Document
    hookset = signoff_hooks.get(source_model) if source_model is not Document else None
    kwargs = {
        "document": document,
        "chain": chain,
        "outcome": outcome,
        "comment": comment,
        "actor": actor,
    }
    if outcome == SignOffOutcome.APPROVED:
        if hookset and hookset.completed:
            hookset.completed(**kwargs)
        signoff_completed.send(sender=source_model, **kwargs)
    else:
        if hookset and hookset.returned:
            hookset.returned(**kwargs)
        signoff_returned.send(sender=source_model, **kwargs)


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


@transaction.atomic
def signoff_approve(*, step: SignOffStep, user, comment: str = "") -> SignOffAction:
    """Approve a pending step. When every step of its order is approved the next order
    becomes pending; after the last one the chain is approved and the source app told."""
    chain, step, behalf = _lock(step, user)
    now = timezone.now()
    comment = (comment or "").strip()
    _close_step(
        step, status=StepStatus.APPROVED, user=user, behalf=behalf, comment=comment, now=now
    )
    action = _action(
        chain=chain,
        kind=ActionKind.APPROVE,
        actor=user,
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
                actor=user,
                now=now,
            )
    return action


def _copy(step: SignOffStep, *, status, now) -> SignOffStep:
    return SignOffStep(
        chain_id=step.chain_id,
        order=step.order,
        assignee_id=step.assignee_id,
        role_unit_id=step.role_unit_id,
        role_group_id=step.role_group_id,
        status=status,
        activated_at=now if status == StepStatus.PENDING else None,
        previous=step,
    )


@transaction.atomic
def signoff_return(
    *,
    step: SignOffStep,
    user,
    comment: str,
    to: str = ReturnTarget.ORIGINATOR,
) -> SignOffAction:
    """Return a pending step with a comment (required).

    * to the originator (default): the chain ends as returned, the document is returned and
      the source app is told; the originator may start it again (``signoff_restart``);
    * to the previous step: the previous order's signers get the document back and every
      step from there on signs again. On the first order this is the same as the originator.
    """
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why you return the document.")})
    if to not in ReturnTarget.values:
        raise ValidationError({"to": _("Choose where to return the document.")})
    chain, step, behalf = _lock(step, user)
    now = timezone.now()
    _close_step(
        step, status=StepStatus.RETURNED, user=user, behalf=behalf, comment=comment, now=now
    )
    action = _action(
        chain=chain,
        kind=ActionKind.RETURN,
        actor=user,
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
            actor=user,
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
    return action


@transaction.atomic
def signoff_forward(*, step: SignOffStep, user, to_user, comment: str = "") -> SignOffAction:
    """Hand a pending step to another person, who then acts on it in the same place."""
    if to_user is None or not getattr(to_user, "is_active", False):
        raise ValidationError({"forward_to": _("Choose an active colleague to forward to.")})
    if to_user.pk == user.pk:
        raise ValidationError({"forward_to": _("You cannot forward a step to yourself.")})
    chain, step, behalf = _lock(step, user)
    if step.assignee_id == to_user.pk:
        raise ValidationError({"forward_to": _("This step is already assigned to that person.")})
    now = timezone.now()
    comment = (comment or "").strip()
    _close_step(
        step, status=StepStatus.FORWARDED, user=user, behalf=behalf, comment=comment, now=now
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
    return _action(
        chain=chain,
        kind=ActionKind.FORWARD,
        actor=user,
        step=step,
        on_behalf_of_id=behalf,
        target=to_user,
        comment=comment,
        now=now,
    )


@transaction.atomic
def signoff_cancel(*, chain: SignOffChain, user, reason: str) -> SignOffAction:
    """Withdraw an open chain (originator or superuser). The document is registered again."""
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
    if not (user.is_superuser or user.pk == locked.started_by_id):
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
    return _action(chain=locked, kind=ActionKind.CANCEL, actor=user, comment=reason, now=now)


# --- Delegation -------------------------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *, delegator, delegate, start_date: date, end_date: date, reason: str, created_by
) -> Delegation:
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        start_date=start_date,
        end_date=end_date,
        reason=(reason or "").strip(),
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    if delegate is not None and not delegate.is_active:
        raise ValidationError({"delegate": _("The delegate's account is not active.")})
    delegation.full_clean()
    delegation.save()
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, revoked_by) -> Delegation:
    """End a delegation now. Only its delegator, its creator or a superuser may."""
    allowed = revoked_by.is_superuser or revoked_by.pk in (
        delegation.delegator_id,
        delegation.created_by_id,
    )
    if not allowed:
        raise PermissionDenied(_("You may not change this delegation."))
    now = timezone.now()
    updated = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if updated:
        delegation.revoked_at = now
        audit_record(
            action=AuditAction.UPDATE,
            obj=delegation,
            actor=revoked_by,
            changes={"revoked_at": [None, now.isoformat()]},
        )
    return delegation


# --- Overdue reminders ------------------------------------------------------------------------


def signoff_reminders_prepare(*, day: date) -> list[int]:
    """Make sure one reminder row exists per overdue pending step for ``day`` and return the
    ids of those not yet sent. Safe to run any number of times."""
    step_ids = list(selectors.overdue_pending_steps(day=day).values_list("id", flat=True))
    SignOffReminder.objects.bulk_create(
        [SignOffReminder(step_id=step_id, day=day) for step_id in step_ids],
        ignore_conflicts=True,
    )
    return list(
        SignOffReminder.objects.filter(
            day=day, sent_at__isnull=True, step_id__in=step_ids
        ).values_list("id", flat=True)
    )


REMINDER_SUBJECT = gettext_lazy("Overdue for sign-off: %(number)s %(subject)s")


def signoff_reminder_send(*, reminder_id: int) -> bool:
    """Send one prepared reminder. Returns False when it was already sent (or is no longer
    due); raises on a mail error so the task can retry. The reminder row is locked while the
    mail goes out, so two workers never both send it."""
    from django.conf import settings

    with transaction.atomic():
        reminder = (
            SignOffReminder.objects.select_for_update(of=("self",))
            .select_related("step__chain__document__unit", "step__assignee")
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        step = reminder.step
        if step.status != StepStatus.PENDING or step.chain.status != ChainStatus.IN_PROGRESS:
            SignOffReminder.objects.filter(pk=reminder.pk).update(last_error="no longer pending")
            return False
        people = selectors.step_recipients(step, day=reminder.day)
        addresses = sorted({p.email for p in people if p.email})
        SignOffReminder.objects.filter(pk=reminder.pk).update(attempts=reminder.attempts + 1)
        if not addresses:
            SignOffReminder.objects.filter(pk=reminder.pk).update(
                sent_at=timezone.now(), recipients="", last_error="no e-mail address"
            )
            return False
        document = step.chain.document
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(REMINDER_SUBJECT) % {
                "number": document.number,
                "subject": document.subject[:80],
            }
            body = render_to_string(
                "documents/emails/overdue_reminder.txt",
                {"document": document, "step": step, "day": reminder.day},
            )
        send_mail(
            subject=subject.replace("\n", " "),
            message=body,
            from_email=None,
            recipient_list=addresses,
            fail_silently=False,
        )
        SignOffReminder.objects.filter(pk=reminder.pk).update(
            sent_at=timezone.now(), recipients=", ".join(addresses), last_error=""
        )
    return True
