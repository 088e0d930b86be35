"""REST API of the service monitor: checks (list, create, read), incidents (list, read,
acknowledge). Row access is ``selectors.checks_visible_to``/``incidents_visible_to``; creating
checks the group against the groups the caller may create in (the service checks again)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..services import checks, incidents
from .serializers import CheckCreateSerializer, CheckSerializer, IncidentSerializer


class MonitoringPermission(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and selectors.may_use(request.user)


class CheckListCreateView(generics.ListAPIView):
    """Checks the caller may see (GET); a new check (POST)."""

    serializer_class = CheckSerializer
    permission_classes = [MonitoringPermission]

    def get_queryset(self):
        return selectors.checks_visible_to(self.request.user).select_related("group").order_by("pk")

    @extend_schema(
        summary="Create a check", request=CheckCreateSerializer, responses={201: CheckSerializer}
    )
    def post(self, request, *args, **kwargs):
        groups = selectors.groups_creatable_by(request.user)
        payload = CheckCreateSerializer(data=request.data, groups=groups)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        group = data.pop("group", None) or groups.order_by("order", "code").first()
        if group is None:
            raise exceptions.PermissionDenied()
        try:
            check = checks.check_create(actor=request.user, group=group, **data)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        return Response(
            CheckSerializer(check, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class CheckDetailView(generics.RetrieveAPIView):
    serializer_class = CheckSerializer
    permission_classes = [MonitoringPermission]

    def get_queryset(self):
        return selectors.checks_visible_to(self.request.user).select_related("group")


class IncidentListView(generics.ListAPIView):
    """Incidents of the checks the caller may see, latest first; ``?state=open``."""

    serializer_class = IncidentSerializer
    permission_classes = [MonitoringPermission]

    def get_queryset(self):
        found = selectors.incidents_visible_to(self.request.user).select_related(
            "check_ref", "acknowledged_by"
        )
        state = self.request.query_params.get("state")
        if state:
            found = found.filter(state=state)
        return found.order_by("-opened_at", "-pk")


class IncidentDetailView(generics.RetrieveAPIView):
    serializer_class = IncidentSerializer
    permission_classes = [MonitoringPermission]

    def get_queryset(self):
        return selectors.incidents_visible_to(self.request.user).select_related(
            "check_ref", "acknowledged_by"
        )


class IncidentAcknowledgeView(APIView):
    permission_classes = [MonitoringPermission]

    @extend_schema(summary="Acknowledge an incident", request=None, responses=IncidentSerializer)
    def post(self, request, pk: int):
        incident = get_object_or_404(selectors.incidents_visible_to(request.user), pk=pk)
        try:
            incident = incidents.incident_acknowledge(
                actor=request.user, incident=incident, via="api"
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        return Response(IncidentSerializer(incident).data)
