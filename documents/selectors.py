"""Reads of the document register and the sign-off engine.

Who may act on a step is decided here (``step_actor``) and nowhere else; the services call it
under lock, the pages call it to decide which forms to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import Organization

from .choices import ChainStatus, StepStatus
from .models import Delegation, Document, SignOffAction, SignOffChain, SignOffStep


@dataclass(frozen=True)
class Principal:
    """Someone whose steps an actor may take: the actor, or a delegator on leave."""

    user_id: int
    organization_id: int | None
    group_ids: frozenset[int]


@dataclass(frozen=True)
class ActorContext:
    user_id: int
    day: date
    own: Principal
    delegators: tuple[Principal, ...] = field(default_factory=tuple)

    @property
    def principals(self) -> tuple[Principal, ...]:
        return (self.own, *self.delegators)


def _group_ids(user_ids) -> dict[int, set[int]]:
    user_model = get_user_model()
    through = user_model.groups.through
    found: dict[int, set[int]] = {uid: set() for uid in user_ids}
    for user_id, group_id in through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "group_id"
    ):
        found[user_id].add(group_id)
    return found


def actor_context(user, *, day: date | None = None, fresh: bool = False) -> ActorContext:
    """The user's own unit and roles, and those of everyone who delegated to them today.
    Cached on the user object for the request (two queries); services pass ``fresh=True``."""
    day = day or timezone.localdate()
    cached = getattr(user, "_documents_actor", None)
    if not fresh and cached is not None and cached.day == day:
        return cached
    delegator_rows = list(
        Delegation.objects.active_on(day)
        .filter(delegate_id=user.pk, delegator__is_active=True)
        .values_list("delegator_id", "delegator__organization_id")
        .distinct()
    )
    groups = _group_ids([user.pk] + [row[0] for row in delegator_rows])
    own = Principal(user.pk, user.organization_id, frozenset(groups[user.pk]))
    delegators = tuple(
        Principal(uid, org_id, frozenset(groups[uid]))
        for uid, org_id in sorted(set(delegator_rows))
        if uid != user.pk
    )
    ctx = ActorContext(user_id=user.pk, day=day, own=own, delegators=delegators)
    user._documents_actor = ctx
    return ctx


def _principal_q(principal: Principal, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}assignee_id": principal.user_id})
    if principal.organization_id and principal.group_ids:
        q |= Q(
            **{
                f"{prefix}role_unit_id": principal.organization_id,
                f"{prefix}role_group_id__in": principal.group_ids,
            }
        )
    return q


def actor_step_q(user, *, prefix: str = "") -> Q:
    """Steps the user may take, directly or as a delegate (any status: filter it yourself)."""
    ctx = actor_context(user)
    q = Q()
    for principal in ctx.principals:
        q |= _principal_q(principal, prefix)
    return q


def _qualifies(step: SignOffStep, principal: Principal) -> bool:
    if step.assignee_id is not None:
        return step.assignee_id == principal.user_id
    return (
        step.role_unit_id == principal.organization_id and step.role_group_id in principal.group_ids
    )


def step_actor(step: SignOffStep, user, *, fresh: bool = False) -> tuple[bool, int | None]:
    """(may act, id of the delegator acted for or None). Direct rights win over delegation."""
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
            "chain__document__unit", "chain__started_by", "assignee", "role_unit", "role_group"
        )
        .order_by("chain__document__deadline", "activated_at", "id")
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
    """Units the user may register documents for: every active unit for superusers and
    holders of ``documents.add_document`` (system accounts), otherwise the user's unit and
    the units below it. The register page and the API both ask here."""
    if user.is_superuser or user.has_perm("documents.add_document"):
        return Organization.objects.active()
    if user.organization_id:
        return Organization.objects.filter(pk__in=user.organization.descendant_ids())
    return Organization.objects.none()


def _detail_queryset(user) -> QuerySet[Document]:
    steps = SignOffStep.objects.select_related(
        "assignee", "role_unit", "role_group", "acted_by", "on_behalf_of"
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


def actionable_steps(document: Document, user) -> list[tuple[SignOffStep, int | None]]:
    """Pending steps of the document's open chain the user may act on, with the delegator."""
    chain = current_chain(document)
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


def delegations_of(user) -> QuerySet[Delegation]:
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user)).select_related(
        "delegator", "delegate"
    )


def overdue_pending_steps(*, day: date) -> QuerySet[SignOffStep]:
    """Pending steps of open chains whose document's deadline has passed."""
    return SignOffStep.objects.filter(
        status=StepStatus.PENDING,
        chain__status=ChainStatus.IN_PROGRESS,
        chain__document__deadline__lt=day,
    ).order_by("id")


def step_recipients(step: SignOffStep, *, day: date) -> list:
    """Who should hear about a step: its signer (or the members holding the role) and
    whoever is standing in for them that day."""
    user_model = get_user_model()
    if step.assignee_id:
        signers = list(user_model.objects.filter(pk=step.assignee_id, is_active=True))
    else:
        signers = list(
            user_model.objects.filter(
                organization_id=step.role_unit_id, groups=step.role_group_id, is_active=True
            )
        )
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
