"""The read side of equipment loans and supplies in the portal API (the same selectors as the
pages): the lendable items with how many are free today, the caller's loans, and the supply
catalogue with its stock per store."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from ..models import Loan, LoanItem, Stock
from ..selectors import loans as loan_selectors
from ..selectors import supplies as supply_selectors


class LoanItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    free_today = serializers.SerializerMethodField()

    class Meta:
        model = LoanItem
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "name_en",
            "category",
            "serial",
            "quantity",
            "free_today",
            "max_days",
        ]

    def get_free_today(self, obj) -> int:
        held = self.context.get("held", {})
        return max(obj.quantity - held.get(obj.pk, 0), 0)


class LoanSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Loan
        fields = ["id", "number", "item", "quantity", "start", "end", "purpose", "status"]


class StockSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    category = serializers.CharField(source="item.category", read_only=True)
    unit_label = serializers.CharField(source="item.unit_label", read_only=True)
    store_code = serializers.CharField(source="store.code", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    low = serializers.BooleanField(source="is_low", read_only=True)

    class Meta:
        model = Stock
        fields = [
            "id",
            "item",
            "item_code",
            "item_name",
            "category",
            "unit_label",
            "store",
            "store_code",
            "store_name",
            "quantity",
            "low",
        ]


@extend_schema(tags=["portal"], summary="Equipment the caller may borrow")
class LoanItemListView(generics.ListAPIView):
    serializer_class = LoanItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        return loan_selectors.items(self.request.user).order_by("category", "code")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_held", None)
        context["held"] = page or {}
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self._held = loan_selectors.lent_now([r.pk for r in rows], timezone.localdate())
        return page


@extend_schema(tags=["portal"], summary="The caller's equipment loans")
class MyLoanListView(generics.ListAPIView):
    serializer_class = LoanSerializer
    filter_backends: list = []

    def get_queryset(self):
        return loan_selectors.my_loans(self.request.user)


@extend_schema(tags=["portal"], summary="Supplies and their stock per store")
class SupplyItemListView(generics.ListAPIView):
    serializer_class = StockSerializer
    filter_backends: list = []

    def get_queryset(self):
        return supply_selectors.stock(self.request.user).order_by("item__code", "store__code")


urlpatterns = [
    path("portal/loans/items/", LoanItemListView.as_view(), name="portal-loan-item-list"),
    path("portal/loans/", MyLoanListView.as_view(), name="portal-loan-list"),
    path("portal/supplies/items/", SupplyItemListView.as_view(), name="portal-supply-item-list"),
]
