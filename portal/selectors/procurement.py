"""Reads of procurement requests. Who sees a request: its requester, the head or deputies of
its unit, and the people who may see its sign-off chain (its approvers)."""

from __future__ import annotations

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from accounts.models import UnitOfficer
from documents import selectors as documents_selectors
from documents.models import SignOffChain, SignOffStep, actor_step_q

from ..models import ProcurementRequest, ProcurementThreshold


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def requests_visible_to(user) -> QuerySet[ProcurementRequest]:
    if not _active(user):
        return ProcurementRequest.objects.none()
    queryset = ProcurementRequest.objects.select_related(
        "requester", "unit", "threshold", "document"
    )
    if user.is_superuser:
        return queryset
    headed = UnitOfficer.objects.filter(user_id=user.pk).values("unit_id")
    # The approvers: steps they may take, took, or took for someone (not the documents
    # register's wider reading rule, which lets a whole unit read its ordinary documents).
    may_take = actor_step_q(user) or Q(pk__in=[])  # no principals: an empty Q matches all
    steps = SignOffStep.objects.filter(may_take | Q(acted_by=user) | Q(on_behalf_of=user)).values(
        "chain_id"
    )
    approving = (
        SignOffChain.objects.filter(pk__in=steps)
        .filter(
            target_content_type__app_label="portal",
            target_content_type__model="procurementrequest",
        )
        .values("target_object_id")
    )
    return queryset.filter(
        Q(requester=user) | Q(unit_id__in=headed) | Q(pk__in=_as_ints(approving))
    )


def _as_ints(values):
    return values.annotate(as_int=Cast("target_object_id", IntegerField())).values("as_int")


def request_get(user, pk) -> ProcurementRequest:
    try:
        return requests_visible_to(user).get(pk=int(pk))
    except (ProcurementRequest.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def my_requests(user) -> QuerySet[ProcurementRequest]:
    return requests_visible_to(user).filter(requester_id=getattr(user, "pk", None))


def thresholds() -> QuerySet[ProcurementThreshold]:
    return ProcurementThreshold.objects.filter(is_active=True).select_related("template")


def chain(request: ProcurementRequest):
    chains = list(documents_selectors.chains_for(request))
    return chains[-1] if chains else None
