from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from core.models import Organization

from ..choices import DisposalMethod, MovementKind, Register
from ..models import Item, Movement, MovementLine, ScrapReason


class ItemSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    classification = serializers.CharField(source="classification.code", read_only=True)
    custodian = serializers.CharField(source="custodian.username", read_only=True, default=None)
    user_unit = serializers.CharField(source="user_unit.code", read_only=True)
    value = serializers.IntegerField(read_only=True)
    cost = serializers.IntegerField(read_only=True)
    residual_value = serializers.IntegerField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "agency",
            "number",
            "register",
            "classification",
            "name",
            "specification",
            "brand_model",
            "quantity",
            "unit_of_measure",
            "area",
            "acquired_on",
            "cost",
            "value",
            "residual_value",
            "useful_life_months",
            "funding_source",
            "custodian",
            "user_unit",
            "location",
            "status",
        ]
        read_only_fields = fields


class ItemDetailSerializer(ItemSerializer):
    accumulated_depreciation = serializers.SerializerMethodField()
    net_value = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "accumulated_depreciation", "net_value"]
        read_only_fields = fields

    def get_accumulated_depreciation(self, obj) -> int:
        return int(self.context["depreciation"].accumulated)

    def get_net_value(self, obj) -> int:
        return int(self.context["depreciation"].net_value)


class LineSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id")
    number = serializers.CharField(source="item.number")

    class Meta:
        model = MovementLine
        fields = ["item", "number", "quantity", "area", "amount"]


class MovementSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code")
    lines = LineSerializer(many=True)

    class Meta:
        model = Movement
        fields = ["id", "number", "agency", "kind", "status", "effective_date", "reason", "lines"]
        read_only_fields = fields


class MovementInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[c for c in MovementKind.choices if c[0] != MovementKind.ACQUISITION]
    )
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=5000,
        help_text=_("Item ids."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    to_custodian = serializers.CharField(required=False, help_text=_("Login name."))
    to_unit = serializers.CharField(required=False, help_text=_("Unit code."))
    to_agency = serializers.CharField(required=False, help_text=_("Agency code."))
    to_location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    scrap_reason = serializers.CharField(required=False, help_text=_("Reason class code."))
    disposal_method = serializers.ChoiceField(choices=DisposalMethod.choices, required=False)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=0, required=False, min_value=Decimal(1)
    )
    proceeds = serializers.DecimalField(
        max_digits=14, decimal_places=0, required=False, min_value=Decimal(0)
    )

    def validate_to_custodian(self, value):
        person = User.objects.filter(username=value, is_active=True).first()
        if person is None:
            raise serializers.ValidationError(_("No active user has that login name."))
        return person

    def _unit(self, value):
        unit = Organization.objects.filter(code=value).first()
        if unit is None:
            raise serializers.ValidationError(_("No unit has that code."))
        return unit

    def validate_to_unit(self, value):
        return self._unit(value)

    def validate_to_agency(self, value):
        return self._unit(value)

    def validate_scrap_reason(self, value):
        reason = ScrapReason.objects.filter(code=value).first()
        if reason is None:
            raise serializers.ValidationError(_("Unknown reason class."))
        return reason


class FiguresSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    area = serializers.FloatField()
    value = serializers.IntegerField()


class BalanceRowSerializer(serializers.Serializer):
    classification = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    opening = FiguresSerializer()
    increase = FiguresSerializer()
    decrease = FiguresSerializer()
    closing = FiguresSerializer()
    increase_by = serializers.DictField(child=FiguresSerializer())
    decrease_by = serializers.DictField(child=FiguresSerializer())


class BalanceSerializer(serializers.Serializer):
    rows = BalanceRowSerializer(many=True)
    total = BalanceRowSerializer()


class BalanceQuerySerializer(serializers.Serializer):
    agency = serializers.CharField(
        required=False, help_text=_("Agency code; default: all you may see.")
    )
    register = serializers.ChoiceField(choices=Register.choices, default=Register.PROPERTY)
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def to_internal_value(self, data):
        data = data.copy()
        for short, long in (("from", "date_from"), ("to", "date_to")):
            if short in data and long not in data:
                data[long] = data[short]
        return super().to_internal_value(data)

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError(
                {"to": _("The end of the period is before its start.")}
            )
        return attrs
