"""Shapes of the API. Input serializers check only types; the services check the rules and
answer with errors naming the field (``employer_business_id``, ``data.<code>``)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Case, CaseEvent, CaseField, CaseStatus, CaseTransition, CaseType


class CaseFieldSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    choices = serializers.SerializerMethodField()

    class Meta:
        model = CaseField
        fields = ["code", "label", "label_zh", "label_en", "kind", "required", "choices",
                  "max_length", "min_value", "max_value"]  # fmt: skip

    def get_choices(self, obj) -> list[str]:
        return [code for code, _label in obj.choice_list()]


class CaseStatusSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CaseStatus
        fields = ["code", "name", "name_zh", "name_en", "is_initial", "is_final"]


class CaseTransitionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    from_status = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_status = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CaseTransition
        fields = ["id", "name", "from_status", "to_status", "actor_role", "comment_required",
                  "requires_approval"]  # fmt: skip


class CaseTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    schema = CaseFieldSerializer(many=True, read_only=True, source="fields")
    statuses = CaseStatusSerializer(many=True, read_only=True)
    transitions = CaseTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = CaseType
        fields = ["code", "name", "name_zh", "name_en", "deadline_days", "deadline_kind",
                  "schema", "statuses", "transitions"]  # fmt: skip


class StatusRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    is_final = serializers.BooleanField()


class CaseSerializer(serializers.ModelSerializer):
    case_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = StatusRefSerializer(read_only=True)
    handler = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "case_type", "unit", "county", "received_on", "subject",
                  "applicant_name", "applicant_phone", "employer_name", "employer_business_id",
                  "industry", "industry_sector", "data", "status", "is_open", "due_on",
                  "closed_on", "handling_days", "handler", "outcome", "amount", "external_id",
                  "created_at", "updated_at"]  # fmt: skip


class CaseEventSerializer(serializers.ModelSerializer):
    from_status = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_status = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["created_at", "message", "from_status", "to_status", "comment", "actor"]


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


class CaseCreateInputSerializer(serializers.Serializer):
    case_type = serializers.CharField(max_length=10, help_text="Code of the case type.")
    unit = serializers.CharField(
        max_length=30,
        required=False,
        help_text="Code of the unit; an API client may leave it out (its own unit).",
    )
    received_on = serializers.DateField(required=False)
    subject = serializers.CharField(max_length=200)
    applicant_name = serializers.CharField(max_length=100)
    applicant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    employer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    employer_business_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="統一編號, eight digits."
    )
    industry = serializers.CharField(
        max_length=2, required=False, allow_blank=True, help_text="Industry division code."
    )
    county = serializers.CharField(
        max_length=5,
        required=False,
        allow_blank=True,
        help_text="County code (default: the unit's).",
    )
    data = serializers.DictField(required=False, help_text="The case type's fields by code.")
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The calling system's reference: a repeated POST answers 200 with the case.",
    )


class CaseUpdateInputSerializer(serializers.Serializer):
    received_on = serializers.DateField(required=False)
    subject = serializers.CharField(max_length=200, required=False)
    applicant_name = serializers.CharField(max_length=100, required=False)
    applicant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    employer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    employer_business_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=2, required=False, allow_blank=True)
    county = serializers.CharField(max_length=5, required=False, allow_blank=True)
    data = serializers.DictField(required=False)
    handler = serializers.CharField(
        max_length=150, required=False, allow_null=True, help_text="Login of the handler."
    )
    outcome = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    amount = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class TransitionInputSerializer(serializers.Serializer):
    to_status = serializers.CharField(
        max_length=30, help_text="Code of the status to move to (from the case's status)."
    )
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class BoardRowSerializer(serializers.Serializer):
    received_today = serializers.IntegerField()
    received_month = serializers.IntegerField()
    closed_today = serializers.IntegerField()
    closed_month = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)


class BoardTypeRowSerializer(BoardRowSerializer):
    case_type = serializers.CharField(source="case_type.code")


class BoardCountyRowSerializer(BoardRowSerializer):
    county = serializers.CharField(source="county.code")


class BoardSerializer(serializers.Serializer):
    today = serializers.DateField()
    month = serializers.DateField()
    total = BoardRowSerializer()
    by_type = BoardTypeRowSerializer(many=True)
    by_county = BoardCountyRowSerializer(many=True)
