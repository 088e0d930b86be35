"""Reads of the staff side. Every list of cases starts from ``Petition.objects.visible_to``;
the choices offered by the case page's forms come from here too, and the services check
against the same selectors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import authz
from core.masking import mask_email, mask_name
from documents.hooks import SourceAttachment
from documents.selectors import document_list

from .. import roles
from ..choices import OPEN_STATUSES, PetitionStatus
from ..models import Attachment, InboundMessage, InboundState, Petition


def may_use_staff_pages(user) -> bool:
    """Any petitions role anywhere, or a case assigned to the user (superusers: yes)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if any(authz.has_role(user, code) for code in (*roles.READ_ROLES, roles.DISPATCHER)):
        return True
    return Petition.objects.filter(handler=user).exists()


def triage_list(*, user, status="", category="", unit="", source="", overdue=False, q=""):
    today = timezone.localdate()
    qs = (
        Petition.objects.visible_to(user)
        .confirmed()
        .select_related("category", "handling_unit", "handler", "county")
        .order_by("deadline", "-created_at")
    )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    if unit:
        qs = qs.filter(handling_unit__code=unit)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    if q:
        qs = qs.filter(Q(case_number__icontains=q) | Q(subject__icontains=q))
    return qs


def petition_row(petition: Petition) -> dict:
    """What lists and exports show: personal data masked (core.masking)."""
    today = timezone.localdate()
    return {
        "petition": petition,
        "case_number": petition.case_number,
        "citizen_name": mask_name(petition.citizen_name),
        "citizen_email": mask_email(petition.citizen_email),
        "overdue": bool(
            petition.deadline and petition.deadline < today and petition.status in OPEN_STATUSES
        ),
    }


def overdue_by_unit(*, user):
    today = timezone.localdate()
    return (
        Petition.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES, handling_unit__isnull=False)
        .values("handling_unit__code", "handling_unit__name_zh")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today)),
        )
        .order_by("-overdue", "handling_unit__code")
    )


def staff_case(*, user, pk: int) -> Petition | None:
    """One confirmed case ``user`` may read, with what the case page shows, or None."""
    return (
        Petition.objects.visible_to(user)
        .confirmed()
        .select_related("category", "county", "handling_unit", "handler", "document")
        .filter(pk=pk)
        .first()
    )


def case_permissions(*, user, petition: Petition) -> dict[str, bool]:
    """Which action forms the case page shows: ``manage`` (note, assign, extend) and ``act``
    (reply, reject, merge). The services check the same rules."""
    return {
        "manage": Petition.objects.manageable_by(user).filter(pk=petition.pk).exists(),
        "act": Petition.objects.actionable_by(user).filter(pk=petition.pk).exists(),
    }


def assignable_handlers(petition: Petition) -> QuerySet:
    """Active people who may be given the case: holders of ``petitions.handler`` covering its
    handling unit (anywhere when it has none yet)."""
    return authz.role_holders(roles.HANDLER, petition.handling_unit_id)


def reply_signers(petition: Petition, *, author=None) -> QuerySet:
    """Active people the author may add as signers of a reply (before the ``petitions.reply``
    route): the head and deputies of the handling unit and the holders of
    ``petitions.supervisor`` or ``petitions.handler`` covering it, never ``author``."""
    unit = petition.handling_unit_id
    ids = {u.pk for u in authz.unit_officers(unit)} if unit else set()
    User = get_user_model()
    people = User.objects.filter(
        Q(pk__in=ids)
        | Q(pk__in=authz.role_holders(roles.SUPERVISOR, unit).values("pk"))
        | Q(pk__in=authz.role_holders(roles.HANDLER, unit).values("pk")),
        is_active=True,
    )
    if author is not None:
        people = people.exclude(pk=author.pk)
    return people.order_by("username")


def merge_targets(*, user, petition: Petition) -> QuerySet:
    """Cases ``petition`` may be merged into: other confirmed, not merged cases ``user`` may
    act on."""
    return (
        Petition.objects.actionable_by(user)
        .confirmed()
        .exclude(pk=petition.pk)
        .exclude(status=PetitionStatus.MERGED)
    )


def attach_targets(*, user) -> QuerySet:
    """Cases a message of the queue may be attached to: confirmed cases ``user`` may read."""
    return Petition.objects.visible_to(user).confirmed()


def dispatchable_messages(*, user):
    """Every incoming message, for holders of ``petitions.dispatcher`` (none for others)."""
    if not authz.has_role(user, roles.DISPATCHER):
        return InboundMessage.objects.none()
    return InboundMessage.objects.defer("raw")


def unmatched_queue(*, user):
    """Mail waiting for manual assignment, for holders of ``petitions.dispatcher`` (the mail
    has no unit yet, so the role's scope does not narrow the queue)."""
    return dispatchable_messages(user=user).filter(
        state__in=[InboundState.UNMATCHED, InboundState.FAILED]
    )


def readable_attachments(*, user) -> QuerySet:
    """Citizens' files ``user`` may open: those of the cases ``user`` may read
    (``Petition.objects.visible_to``: the case's handler, a petitions read role covering its
    handling unit) and those of the cases whose registered document ``user`` may read
    (``documents`` ``Document.objects.visible_to``)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Attachment.objects.none()
    return Attachment.objects.filter(
        Q(petition__in=Petition.objects.visible_to(user).values("pk"))
        | Q(petition__document__in=document_list(user=user).values("pk"))
    ).select_related("petition")


def document_attachments(*, source: Petition, user) -> list[SourceAttachment]:
    """The case's files as its registered document's page lists them (provider of
    ``documents.hooks.source_attachments``); each link is the authorised download view."""
    return [
        SourceAttachment(
            name=a.original_name,
            size=a.size,
            content_type=a.content_type,
            url=reverse("petitions:staff:attachment", args=[a.pk]),
        )
        for a in readable_attachments(user=user).filter(petition=source)
    ]
