"""The leave API: the caller's balances, and a request made for the caller (the same rules as
the pages: ``selectors.leave``, ``services.leave``). Refusals answer 400 in the project's error
shape, naming the field."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User

from ..constants import LEAVE_REASON_MAX
from ..models import LeaveBalance, LeaveRequest, LeaveType
from ..selectors import leave as selectors
from ..services import leave as services
from .serializers import StrictDateTimeField


class LeaveBalanceSerializer(serializers.ModelSerializer):
    leave_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leave_type_name = serializers.CharField(source="leave_type.name", read_only=True)
    unit = serializers.CharField(source="leave_type.unit", read_only=True)
    available_hours = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    available_days = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)

    class Meta:
        model = LeaveBalance
        fields = [
            "leave_type",
            "leave_type_name",
            "unit",
            "year",
            "granted_hours",
            "carried_hours",
            "used_hours",
            "available_hours",
            "available_days",
        ]


class LeaveRequestCreateSerializer(serializers.Serializer):
    leave_type = serializers.SlugRelatedField(
        slug_field="code", queryset=LeaveType.objects.none(), help_text="A leave type code."
    )
    start = StrictDateTimeField()
    end = StrictDateTimeField()
    reason = serializers.CharField(max_length=LEAVE_REASON_MAX)
    deputy = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), help_text="The id of a colleague of your unit."
    )

    def __init__(self, *args, leave_types=None, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if leave_types is not None:
            self.fields["leave_type"].queryset = leave_types
        if deputies is not None:
            self.fields["deputy"].queryset = deputies


class LeaveRequestSerializer(serializers.ModelSerializer):
    leave_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "number",
            "leave_type",
            "start",
            "end",
            "hours",
            "charges",
            "reason",
            "deputy",
            "status",
        ]


@extend_schema(
    tags=["portal"],
    summary="The caller's leave balances",
    parameters=[OpenApiParameter("year", int, description="Default: this year.")],
)
class LeaveBalanceListView(generics.ListAPIView):
    serializer_class = LeaveBalanceSerializer
    filter_backends: list = []

    def get_queryset(self):
        raw = self.request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2200:
            raise exceptions.ValidationError({"year": ["Give a year like 2026."]})
        return selectors.balances(self.request.user, int(raw))


@extend_schema(
    tags=["portal"],
    summary="Request leave (the deputy is asked, the hours are held)",
    request=LeaveRequestCreateSerializer,
    responses={201: LeaveRequestSerializer},
)
class LeaveRequestCreateView(APIView):
    def post(self, request):
        serializer = LeaveRequestCreateSerializer(
            data=request.data,
            leave_types=selectors.leave_types(),
            deputies=selectors.deputy_choices(request.user),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        leave = services.leave_request_create(
            actor=request.user,
            leave_type=data["leave_type"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            deputy=data["deputy"],
        )
        return Response(LeaveRequestSerializer(leave).data, status=status.HTTP_201_CREATED)
