"""Reads of the document register and the sign-off engine.

Who may act on a step is decided here (``step_actor``) and nowhere else; the services call it
under lock, the pages call it to decide which forms to show.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts import authz
from accounts.models import Role
from core.models import Organization

from .choices import ChainStatus, StepStatus
from .constants import ROLE_REGISTRAR
from .models import (
    ChainTemplate,
    Delegation,
    Document,
    Principal,
    SignOffAction,
    SignOffChain,
    SignOffStep,
    actor_context,
    actor_step_q,
)


def _qualifies(step: SignOffStep, principal: Principal) -> bool:
    if step.assignee_id is not None:
        return step.assignee_id == principal.user_id
    code = step.role.code
    if code not in principal.roles:
        return False
    units = principal.roles[code]
    return units is None or step.role_unit_id in units


def step_actor(step: SignOffStep, user, *, fresh: bool = False) -> tuple[bool, int | None]:
    """(may act, id of the delegator acted for or None). Direct rights win over delegation.
    A role step is open to every active holder of the role whose assignment covers the step's
    unit (``accounts.authz``); superusers have no override here."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False, None
    ctx = actor_context(user, fresh=fresh)
    if _qualifies(step, ctx.own):
        return True, None
    for principal in ctx.delegators:
        if _qualifies(step, principal):
            return True, principal.user_id
    return False, None


def pending_steps_for(user) -> QuerySet[SignOffStep]:
    """Steps waiting for the user now, including those of people who delegated to them."""
    return (
        SignOffStep.objects.filter(
            actor_step_q(user),
            status=StepStatus.PENDING,
            chain__status=ChainStatus.IN_PROGRESS,
        )
        .select_related(
            "chain__document__unit",
            "chain__started_by",
            "chain__target_content_type",
            "chain__requester_unit",
            "assignee",
            "role_unit",
            "role",
        )
        .order_by("chain__deadline", "activated_at", "id")
    )


def pending_count_for(user) -> int:
    return pending_steps_for(user).count()


def document_list(*, user) -> QuerySet[Document]:
    return Document.objects.visible_to(user).select_related("unit", "registered_by")


def unit_document_list(*, user) -> QuerySet[Document]:
    """Documents of the user's unit and every unit below it that the user may see."""
    qs = document_list(user=user)
    if user.organization_id is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(unit_id__in=user.organization.descendant_ids())


def registrable_units(user) -> QuerySet[Organization]:
    """Active units the user may register documents for: the user's own unit and the units
    below it, plus the units where the user holds ``documents.registrar`` (held everywhere by
    system accounts; superusers: every unit). The register page, the API and
    ``services.document_register`` all ask here."""
    rule = authz.scope_q(user, ROLE_REGISTRAR, field="pk")
    if user.organization_id:
        rule |= Q(pk__in=user.organization.descendant_ids())
    return Organization.objects.active().filter(rule)


def _detail_queryset(user) -> QuerySet[Document]:
    steps = SignOffStep.objects.select_related(
        "assignee", "role_unit", "role", "acted_by", "on_behalf_of"
    ).order_by("order", "id")
    actions = SignOffAction.objects.select_related(
        "actor", "on_behalf_of", "target", "step"
    ).order_by("created_at", "id")
    chains = SignOffChain.objects.select_related("started_by").prefetch_related(
        Prefetch("steps", queryset=steps), Prefetch("actions", queryset=actions)
    )
    return (
        Document.objects.visible_to(user)
        .select_related("unit", "registered_by", "source_content_type")
        .prefetch_related(
            Prefetch("signoff_chains", queryset=chains.order_by("created_at", "id")),
            "attachments",
        )
    )


def document_detail(*, user, pk: int) -> Document:
    """The document with its chains, steps and timeline; 404 when the user may not see it."""
    return get_object_or_404(_detail_queryset(user), pk=pk)


def document_by_number(*, user, number: str) -> Document:
    return get_object_or_404(_detail_queryset(user), number=number)


def document_timeline(document: Document) -> list[SignOffAction]:
    """Every action of every chain of the document, oldest first (uses the prefetch)."""
    actions = [a for chain in document.signoff_chains.all() for a in chain.actions.all()]
    return sorted(actions, key=lambda a: (a.created_at, a.pk))


def current_chain(document: Document) -> SignOffChain | None:
    chains = list(document.signoff_chains.all())
    return chains[-1] if chains else None


def chain_detail(*, user, pk: int) -> SignOffChain:
    """A chain with its steps and timeline; 404 when the user may not see it."""
    steps = SignOffStep.objects.select_related(
        "assignee", "role_unit", "role", "acted_by", "on_behalf_of"
    ).order_by("order", "id")
    actions = SignOffAction.objects.select_related(
        "actor", "on_behalf_of", "target", "step"
    ).order_by("created_at", "id")
    queryset = (
        SignOffChain.objects.visible_to(user)
        .select_related(
            "started_by", "document", "template", "target_content_type", "requester_unit"
        )
        .prefetch_related(Prefetch("steps", queryset=steps), Prefetch("actions", queryset=actions))
    )
    return get_object_or_404(queryset, pk=pk)


def chain_actionable_steps(chain: SignOffChain, user) -> list[tuple[SignOffStep, int | None]]:
    """Pending steps of an open chain the user may act on, with the delegator acted for."""
    if chain is None or chain.status != ChainStatus.IN_PROGRESS:
        return []
    found = []
    for step in chain.steps.all():
        if step.status != StepStatus.PENDING:
            continue
        allowed, behalf = step_actor(step, user)
        if allowed:
            found.append((step, behalf))
    return found


def actionable_steps(document: Document, user) -> list[tuple[SignOffStep, int | None]]:
    """Pending steps of the document's open chain the user may act on, with the delegator."""
    return chain_actionable_steps(current_chain(document), user)


def delegations_of(user) -> QuerySet[Delegation]:
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user)).select_related(
        "delegator", "delegate"
    )


def overdue_pending_steps(*, day: date) -> QuerySet[SignOffStep]:
    """Pending steps of open chains whose deadline has passed."""
    return SignOffStep.objects.filter(
        status=StepStatus.PENDING,
        chain__status=ChainStatus.IN_PROGRESS,
        chain__deadline__lt=day,
    ).order_by("id")


def step_recipients(step: SignOffStep, *, day: date) -> list:
    """Who should hear about a step: its signer (or the people holding the role in the step's
    unit) and whoever is standing in for them that day."""
    user_model = get_user_model()
    if step.assignee_id:
        signers = list(user_model.objects.filter(pk=step.assignee_id, is_active=True))
    else:
        signers = list(authz.role_holders(step.role.code, step.role_unit_id))
    delegates = list(
        user_model.objects.filter(
            is_active=True,
            pk__in=Delegation.objects.active_on(day)
            .filter(delegator__in=[s.pk for s in signers])
            .values("delegate_id"),
        )
    )
    seen, people = set(), []
    for person in signers + delegates:
        if person.pk not in seen:
            seen.add(person.pk)
            people.append(person)
    return people


def chain_template_for(*, purpose: str, amount=None) -> ChainTemplate:
    """The active template for ``purpose`` whose amount range contains ``amount`` (the one
    with the highest lower bound when ranges overlap). ValidationError naming the purpose
    when none fits."""
    candidates = [
        t
        for t in ChainTemplate.objects.filter(purpose=purpose, is_active=True).prefetch_related(
            "steps__role", "steps__unit", "steps__user"
        )
        if t.covers(amount)
    ]
    if not candidates:
        raise ValidationError(
            {
                "template": _("No approval route is configured for %(purpose)s.")
                % {"purpose": purpose}
            }
        )
    floor = Decimal("-Infinity")
    return max(candidates, key=lambda t: t.min_amount if t.min_amount is not None else floor)


def chains_for(target) -> QuerySet[SignOffChain]:
    """Every chain of ``target`` (any model), oldest first, with steps and timeline."""
    steps = SignOffStep.objects.select_related(
        "assignee", "role_unit", "role", "acted_by", "on_behalf_of"
    ).order_by("order", "id")
    actions = SignOffAction.objects.select_related("actor", "on_behalf_of", "target").order_by(
        "created_at", "id"
    )
    return (
        SignOffChain.objects.filter(
            target_content_type=ContentType.objects.get_for_model(target),
            target_object_id=str(target.pk),
        )
        .select_related("started_by", "document", "template")
        .prefetch_related(Prefetch("steps", queryset=steps), Prefetch("actions", queryset=actions))
        .order_by("created_at", "id")
    )


def open_chain_for(target) -> SignOffChain | None:
    """The chain of ``target`` that is still in progress, if any."""
    return (
        SignOffChain.objects.filter(
            target_content_type=ContentType.objects.get_for_model(target),
            target_object_id=str(target.pk),
            status=ChainStatus.IN_PROGRESS,
        )
        .order_by("-id")
        .first()
    )


def step_role(label: str) -> Role | None:
    """The portal-wide role a person means by ``label``: its code, or its Chinese or English
    name (used by the register form and the API to read role steps)."""
    label = (label or "").strip()
    if not label:
        return None
    roles = Role.objects.filter(application__isnull=True)
    return (
        roles.filter(code=label).first()
        or roles.filter(name_zh=label).first()
        or roles.filter(name_en__iexact=label).first()
    )
