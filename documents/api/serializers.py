from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Organization

from .. import selectors
from ..choices import DocumentCategory, SecurityLevel
from ..forms import find_user
from ..models import Document, SignOffAction, SignOffChain, SignOffStep
from ..services import StepSpec


class StepInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(
        min_value=1, max_value=99, help_text=_("Steps with the same order countersign.")
    )
    user = serializers.CharField(
        required=False, help_text=_("Login name or employee number of the signer.")
    )
    unit = serializers.CharField(required=False, help_text=_("Unit code of a role step."))
    role = serializers.CharField(
        required=False, help_text=_("Code or name of the role of a role step.")
    )

    def validate(self, attrs):
        identifier, unit_code, role = attrs.get("user"), attrs.get("unit"), attrs.get("role")
        if identifier and (unit_code or role):
            raise serializers.ValidationError(_("Give a person or a role, not both."))
        if identifier:
            person = find_user(identifier)
            if person is None:
                raise serializers.ValidationError({"user": _("No active user has that name.")})
            return StepSpec(order=attrs["order"], user=person)
        if not (unit_code and role):
            raise serializers.ValidationError(_("Give a person, or a unit and a role."))
        unit = Organization.objects.filter(code=unit_code).first()
        if unit is None:
            raise serializers.ValidationError({"unit": _("No unit has that code.")})
        role = selectors.step_role(role)
        if role is None:
            raise serializers.ValidationError({"role": _("No role has that name.")})
        return StepSpec(order=attrs["order"], unit=unit, role=role)


class DocumentRegisterInputSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organization.objects.filter(is_active=True),
        help_text=_("Code of the unit that registers the document and gives its number."),
    )
    subject = serializers.CharField(max_length=500)
    sender = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    receiver = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(
        choices=DocumentCategory.choices, default=DocumentCategory.INCOMING
    )
    security_level = serializers.ChoiceField(
        choices=SecurityLevel.choices, default=SecurityLevel.ORDINARY
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    external_system = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Your own reference: sending it again returns the same document."),
    )
    steps = StepInputSerializer(many=True, required=False, default=list)


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class StepSerializer(serializers.ModelSerializer):
    # Declared so the schema does not depend on the database's integer ranges.
    order = serializers.IntegerField(read_only=True, min_value=0, max_value=32767)
    assignee = UserRefSerializer(allow_null=True)
    unit = serializers.SlugRelatedField(source="role_unit", slug_field="code", read_only=True)
    role = serializers.SlugRelatedField(slug_field="code", read_only=True)
    acted_by = UserRefSerializer(allow_null=True)
    on_behalf_of = UserRefSerializer(allow_null=True)

    class Meta:
        model = SignOffStep
        fields = [
            "id",
            "order",
            "assignee",
            "unit",
            "role",
            "status",
            "activated_at",
            "acted_at",
            "acted_by",
            "on_behalf_of",
            "comment",
        ]


class ActionSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(allow_null=True)
    on_behalf_of = UserRefSerializer(allow_null=True)
    forwarded_to = UserRefSerializer(source="target", allow_null=True)
    step_order = serializers.IntegerField(source="step.order", allow_null=True, default=None)

    class Meta:
        model = SignOffAction
        fields = [
            "kind",
            "created_at",
            "actor",
            "on_behalf_of",
            "forwarded_to",
            "step_order",
            "comment",
        ]


class ChainSerializer(serializers.ModelSerializer):
    current_order = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=0, max_value=32767
    )
    started_by = UserRefSerializer(allow_null=True)
    steps = StepSerializer(many=True)

    class Meta:
        model = SignOffChain
        fields = [
            "id",
            "status",
            "current_order",
            "started_by",
            "created_at",
            "completed_at",
            "steps",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue")
    registered_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Document
        fields = [
            "id",
            "number",
            "roc_year",
            "serial",
            "unit",
            "subject",
            "sender",
            "receiver",
            "category",
            "security_level",
            "status",
            "deadline",
            "overdue",
            "registered_at",
            "external_system",
            "external_id",
        ]
        read_only_fields = fields


class DocumentStatusSerializer(DocumentSerializer):
    chains = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = DocumentSerializer.Meta.fields + ["chains", "timeline"]
        read_only_fields = fields

    @extend_schema_field(ChainSerializer(many=True))
    def get_chains(self, obj):
        return ChainSerializer(obj.signoff_chains.all(), many=True).data

    @extend_schema_field(ActionSerializer(many=True))
    def get_timeline(self, obj):
        return ActionSerializer(selectors.document_timeline(obj), many=True).data
