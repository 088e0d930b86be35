"""Read API of meeting tracking: the same visibility as the pages (``selectors``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Organization

from .. import selectors
from ..choices import CaseStatus
from ..models import Meeting
from .serializers import (
    MeetingDetailSerializer,
    MeetingSearchHitSerializer,
    MeetingSerializer,
    TrackedCaseSerializer,
)


@extend_schema(tags=["meetings"], summary="Meetings visible to the caller")
class MeetingListView(generics.ListAPIView):
    serializer_class = MeetingSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.meeting_list(self.request.user).order_by("-starts_at", "-pk")


@extend_schema(
    tags=["meetings"], summary="One meeting: agenda, visible material, books, cases still tracked"
)
class MeetingDetailView(APIView):
    serializer_class = MeetingDetailSerializer

    def get(self, request, pk: int):
        try:
            meeting = selectors.meeting_get(request.user, pk)
        except Meeting.DoesNotExist as exc:
            raise exceptions.NotFound from exc
        full = selectors.reads_meeting(request.user, meeting)
        context = {
            "reports": selectors.reports_visible(request.user, meeting),
            "books": list(selectors.books(meeting)) if full else [],
            "cases": list(selectors.carried_cases(meeting)) if full else [],
        }
        return Response(MeetingDetailSerializer(meeting, context=context).data)


def _unit(value: str):
    if not value:
        return None
    unit = (
        Organization.objects.filter(pk=int(value)).first()
        if value.isdigit()
        else Organization.objects.filter(code=value).first()
    )
    if unit is None:
        raise exceptions.ValidationError({"unit": [_("No unit has that id or code.")]})
    return unit


@extend_schema(
    tags=["meetings"],
    summary="Tracked cases visible to the caller",
    parameters=[
        OpenApiParameter("status", enum=CaseStatus.values, required=False),
        OpenApiParameter(
            "unit", str, required=False, description="Lead or co-unit, by id or code."
        ),
    ],
)
class CaseListView(generics.ListAPIView):
    serializer_class = TrackedCaseSerializer
    filter_backends: list = []

    def get_queryset(self):
        status = self.request.query_params.get("status", "")
        if status and status not in CaseStatus.values:
            raise exceptions.ValidationError({"status": [_("Unknown status.")]})
        unit = _unit(self.request.query_params.get("unit", "").strip())
        return selectors.case_list(
            self.request.user, status=status, unit=unit.pk if unit else None
        ).order_by("-year", "-serial")


@extend_schema(
    tags=["meetings"],
    summary="Search this and every earlier meeting",
    parameters=[
        OpenApiParameter(
            "q",
            str,
            required=True,
            description="Chinese phrases and/or English words; every term must match.",
        ),
        OpenApiParameter("unit", str, required=False, description="Unit id or code."),
    ],
    responses=MeetingSearchHitSerializer(many=True),
)
class SearchView(APIView):
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise exceptions.ValidationError({"q": [_("Type what to search for.")]})
        if len(query) > 100:
            raise exceptions.ValidationError({"q": [_("At most 100 characters.")]})
        unit = _unit(request.query_params.get("unit", "").strip())
        hits = selectors.search(request.user, query, unit=unit)
        return Response(MeetingSearchHitSerializer(hits, many=True).data)
