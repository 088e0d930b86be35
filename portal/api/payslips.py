"""The payslips API: ``GET /api/v1/portal/payslips/`` lists the caller's own slips with their
lines (never another person's), audited like the page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from ..models import Payslip, PayslipLine
from ..selectors import payslips as selectors
from ..services import payslips as services


class PayslipLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayslipLine
        fields = ["kind", "item", "amount"]


class PayslipSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text="YYYY-MM")
    lines = PayslipLineSerializer(many=True, read_only=True)

    class Meta:
        model = Payslip
        fields = ["id", "month", "earnings", "deductions", "net", "lines"]

    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"


@extend_schema(tags=["portal"], summary="The caller's own payslips, newest month first")
class PayslipListView(generics.ListAPIView):
    serializer_class = PayslipSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.payslips_with_lines(self.request.user)

    def list(self, request, *args, **kwargs):
        services.payslips_list_audit(actor=request.user, channel="api")
        return super().list(request, *args, **kwargs)
