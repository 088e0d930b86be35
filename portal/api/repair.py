"""API of IT repair and procurement requests: the same rules as the pages (selectors decide
what is listed, services decide what may be written).

- ``GET /api/v1/portal/repair/tickets/``: the caller's tickets, those of their IT teams' queues
  and those of the units they head (``?status=``, ``?mine=1``);
- ``POST /api/v1/portal/repair/tickets/``: file a ticket (``category``, ``priority``,
  ``location``, ``description``, optional ``asset``: an item the caller holds);
- ``GET /api/v1/portal/procurement/requests/``: the procurement requests the caller may see.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from ..models import ProcurementRequest, Ticket, TicketPriority, TicketStatus
from ..selectors import procurement as procurement_selectors
from ..selectors import repair as repair_selectors
from ..services import repair as repair_services


class TicketSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requester = serializers.CharField(source="requester.username", read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)
    sla_met = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "category",
            "team",
            "requester",
            "assignee",
            "asset",
            "asset_label",
            "location",
            "priority",
            "description",
            "status",
            "due_at",
            "resolved_at",
            "closed_at",
            "rating",
            "sla_met",
            "created_at",
        ]
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Ticket.objects.none())
    priority = serializers.ChoiceField(choices=TicketPriority.choices, default="normal")
    location = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    asset = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = repair_selectors.categories()


@extend_schema(
    tags=["portal"],
    parameters=[
        OpenApiParameter("status", str, enum=TicketStatus.values, required=False),
        OpenApiParameter("mine", bool, required=False, description="Only my own tickets."),
    ],
)
class TicketListCreateView(generics.ListCreateAPIView):
    serializer_class = TicketSerializer
    filter_backends: list = []

    def get_queryset(self):
        queryset = repair_selectors.tickets_visible_to(self.request.user)
        state = self.request.query_params.get("status")
        if state in TicketStatus.values:
            queryset = queryset.filter(status=state)
        if self.request.query_params.get("mine") in ("1", "true"):
            queryset = queryset.filter(requester_id=self.request.user.pk)
        return queryset.order_by("-created_at", "-pk")

    @extend_schema(summary="Repair tickets the caller may see")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Report a problem (file a repair ticket)",
        request=TicketCreateSerializer,
        responses={201: TicketSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = repair_services.ticket_create(
            actor=request.user,
            category=data["category"],
            priority=data["priority"],
            location=data["location"],
            description=data["description"],
            asset=data.get("asset"),
        )
        ticket = repair_selectors.ticket_get(request.user, ticket.pk)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class ProcurementRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    threshold = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True, default=None)

    class Meta:
        model = ProcurementRequest
        fields = [
            "id",
            "number",
            "requester",
            "unit",
            "item",
            "quantity",
            "estimated_amount",
            "budget_code",
            "justification",
            "threshold",
            "document_number",
            "status",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema(tags=["portal"], summary="Procurement requests the caller may see")
class ProcurementRequestListView(generics.ListAPIView):
    serializer_class = ProcurementRequestSerializer
    filter_backends: list = []

    def get_queryset(self):
        return procurement_selectors.requests_visible_to(self.request.user).order_by(
            "-created_at", "-pk"
        )
