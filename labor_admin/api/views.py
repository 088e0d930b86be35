"""REST API for county systems that keep their own front end, and for the ministry's tools.

Every view asks the selectors with the caller (``permissions.principal``: a person or the
``ApiClient`` of one unit) and calls the services with it as ``actor``: a client of unit A
never reads or touches a case of unit B (404), and may take in cases only for its unit."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..choices import CaseSource
from ..models import CaseTransition
from .authentication import UnitClientAuthentication
from .permissions import IsPersonOrUnitClient, principal
from .serializers import (
    BoardSerializer,
    CaseCreateInputSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseTypeSerializer,
    CaseUpdateInputSerializer,
    TransitionInputSerializer,
)

FILTERS = [
    OpenApiParameter("case_type", str, description="Case type code"),
    OpenApiParameter("status", str, description="Status code"),
    OpenApiParameter("county", str, description="County code"),
    OpenApiParameter("open", bool, description="Only open (true) or closed (false) cases"),
    OpenApiParameter("overdue", bool, description="Only overdue cases"),
    OpenApiParameter("q", str, description="Number, subject, employer or business ID"),
]


# Built once per process and reused: a serializer's fields (for the detail answer, a
# ModelSerializer's introspection of every model field) cost more than the whole answer, and
# ``run_validation`` / ``to_representation`` keep no state between calls. The same two
# objects answer the DRF endpoint and the lean entry (``labor_admin.wsgi_api``).
INTAKE_INPUT = CaseCreateInputSerializer()
DETAIL = CaseDetailSerializer()


class _Base:
    authentication_classes = [UnitClientAuthentication, SessionAuthentication]
    permission_classes = [IsPersonOrUnitClient]


def _bool(value):
    if value in (None, ""):
        return None
    return str(value).lower() in ("1", "true", "yes")


class CaseTypeListView(_Base, generics.ListAPIView):
    """The case types in use, each with its fields, statuses and transitions."""

    serializer_class = CaseTypeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.case_types()


class CaseListCreateView(_Base, generics.ListAPIView):
    """Cases the caller sees (GET) and intake of a new one (POST)."""

    serializer_class = CaseSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        filters = {
            k: params.get(k) for k in ("case_type", "status", "county", "q") if params.get(k)
        }
        if _bool(params.get("open")) is not None:
            filters["open"] = _bool(params.get("open"))
        if _bool(params.get("overdue")):
            filters["overdue"] = True
        return selectors.case_list(principal(self.request), filters=filters).order_by("-id")

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Take in a case",
        request=CaseCreateInputSerializer,
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(
                CaseDetailSerializer, description="The same external_id was sent before."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        who = principal(request)
        # What ``is_valid(raise_exception=True)`` runs, on the shared serializer.
        data = dict(INTAKE_INPUT.run_validation(request.data))
        case_type = selectors.case_type_for_intake(data.pop("case_type"))
        if case_type is None:
            raise exceptions.ValidationError({"case_type": [_("Unknown case type.")]})
        unit_code = data.pop("unit", "")
        if selectors.is_client(who):
            unit = who.unit
            if unit_code and unit_code != unit.code:
                raise exceptions.ValidationError(
                    {"unit": [_("This client may take in cases only for its own unit.")]}
                )
        else:
            unit = selectors.writable_units(who).filter(code=unit_code).first()
            if unit is None:
                raise exceptions.ValidationError(
                    {"unit": [_("Name a unit you may take in cases for (its code).")]}
                )
        external_id = data.pop("external_id", "")
        case = services.case_create(
            actor=who,
            unit=unit,
            case_type=case_type,
            values=data,
            source=CaseSource.API,
            external_id=external_id,
        )
        repeated = getattr(case, "_existing", False)
        if repeated:
            case = selectors.case_detail(who, case.pk)
        return Response(
            DETAIL.to_representation(case),
            status=status.HTTP_200_OK if repeated else status.HTTP_201_CREATED,
        )


def _case(request, pk):
    case = selectors.case_detail(principal(request), pk)
    if case is None:
        raise Http404
    return case


class CaseDetailView(_Base, APIView):
    """One case with its timeline (GET) and changes to it (PATCH)."""

    @extend_schema(summary="Read a case", responses=CaseDetailSerializer)
    def get(self, request, pk: int):
        return Response(CaseDetailSerializer(_case(request, pk)).data)

    @extend_schema(
        summary="Change a case", request=CaseUpdateInputSerializer, responses=CaseDetailSerializer
    )
    def patch(self, request, pk: int):
        who = principal(request)
        case = _case(request, pk)
        payload = CaseUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        if "handler" in values:
            login = values["handler"]
            values["handler"] = None
            if login:
                handler = get_user_model().objects.filter(username=login).first()
                if handler is None:
                    raise exceptions.ValidationError({"handler": [_("Unknown login.")]})
                values["handler"] = handler
        services.case_update(case=case, actor=who, values=values)
        return Response(CaseDetailSerializer(selectors.case_detail(who, pk)).data)


class CaseTransitionView(_Base, APIView):
    """Move a case to another status along one of its type's transitions."""

    @extend_schema(
        summary="Make a transition",
        request=TransitionInputSerializer,
        responses=CaseDetailSerializer,
    )
    def post(self, request, pk: int):
        who = principal(request)
        case = _case(request, pk)
        payload = TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transition = (
            CaseTransition.objects.select_related("to_status")
            .filter(
                case_type_id=case.case_type_id,
                from_status_id=case.status_id,
                to_status__code=payload.validated_data["to_status"],
            )
            .first()
        )
        if transition is None:
            raise exceptions.ValidationError(
                {"to_status": [_("No transition leads there from the case's current status.")]}
            )
        services.case_transition(
            case=case,
            transition=transition,
            actor=who,
            comment=payload.validated_data.get("comment", ""),
        )
        return Response(CaseDetailSerializer(selectors.case_detail(who, pk)).data)


class BoardView(_Base, APIView):
    """The board's figures over every case the caller sees (the ministry: the nation)."""

    @extend_schema(summary="National board figures", responses=BoardSerializer)
    def get(self, request):
        return Response(BoardSerializer(selectors.board(principal(request))).data)
