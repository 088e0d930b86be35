"""REST API of the property register: items (list with filters, detail), movements (POST a
workflow step through the service), the 增減結存表 as JSON. Every read goes through the
selectors' scope; a service's ValidationError reaches the caller in the project's error shape."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Organization

from .. import selectors, services
from ..filters import ItemFilter
from ..reports import balance
from .serializers import (
    BalanceQuerySerializer,
    BalanceSerializer,
    ItemDetailSerializer,
    ItemSerializer,
    MovementInputSerializer,
    MovementSerializer,
)


@extend_schema(tags=["property"])
class ItemListView(generics.ListAPIView):
    """Items the caller may see, filtered by agency, register, classification, custodian and
    status."""

    serializer_class = ItemSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ItemFilter

    def get_queryset(self):
        return (
            selectors.items_visible_to(self.request.user)
            .select_related("agency", "classification", "custodian", "user_unit")
            .order_by("agency_id", "number")
        )


@extend_schema(tags=["property"])
class ItemDetailView(APIView):
    @extend_schema(summary="Read an item", responses=ItemDetailSerializer)
    def get(self, request, pk: int):
        item = selectors.item_detail(user=request.user, pk=pk)
        dep = selectors.item_depreciation(item, timezone.localdate())
        return Response(ItemDetailSerializer(item, context={"depreciation": dep}).data)


@extend_schema(tags=["property"])
class MovementCreateView(APIView):
    @extend_schema(
        summary="Start a movement of existing items (sent for approval)",
        request=MovementInputSerializer,
        responses={201: MovementSerializer},
    )
    def post(self, request):
        payload = MovementInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        item_ids = data.pop("items")
        visible = set(
            selectors.items_visible_to(request.user)
            .filter(pk__in=item_ids)
            .values_list("pk", flat=True)
        )
        if visible != set(item_ids):
            raise exceptions.ValidationError({"items": [_("An item was not found.")]})
        try:
            movement = services.movement_create(actor=request.user, item_ids=item_ids, **data)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(_("You may not move one of these items.")) from exc
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["property"])
class BalanceView(APIView):
    @extend_schema(
        summary="The increase, decrease and balance statement (增減結存表)",
        parameters=[
            OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code"),
            OpenApiParameter(
                "register", OpenApiTypes.STR, enum=["property", "fund", "non_consumable"]
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses=BalanceSerializer,
    )
    def get(self, request):
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        allowed = selectors.report_agencies(user=request.user)
        if data.get("agency"):
            agency = Organization.objects.filter(code=data["agency"]).first()
            if agency is None or not allowed.filter(pk=agency.pk).exists():
                raise exceptions.NotFound()
            ids = [agency.pk]
        else:
            ids = list(allowed.values_list("pk", flat=True))
        result = balance.balance(
            agency_ids=ids,
            register=data["register"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        return Response(balance.as_json(result))
