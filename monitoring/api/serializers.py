from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import CheckKind
from ..models import ApplicationGroup, Check, Incident


class CheckSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ping_url = serializers.SerializerMethodField()

    class Meta:
        model = Check
        fields = [
            "id",
            "name",
            "kind",
            "group",
            "enabled",
            "state",
            "state_changed_at",
            "url",
            "method",
            "expected_status",
            "keyword",
            "json_path",
            "json_value",
            "max_response_ms",
            "host",
            "port",
            "interval_seconds",
            "timeout_seconds",
            "retries",
            "failure_threshold",
            "success_threshold",
            "period_seconds",
            "grace_seconds",
            "cron",
            "time_zone",
            "expected_pings",
            "last_checked_at",
            "last_ok",
            "last_response_ms",
            "last_message",
            "ping_url",
        ]
        read_only_fields = fields

    def get_ping_url(self, check) -> str | None:
        if check.kind != CheckKind.HEARTBEAT:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(check.ping_path) if request else check.ping_path


class CheckCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=[CheckKind.HTTP, CheckKind.TCP, CheckKind.DNS, CheckKind.HEARTBEAT]
    )
    group = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ApplicationGroup.objects.none(),
        label=_("group"),
        required=False,
        help_text=_("Code of the application group; default: the first one you may use."),
    )
    url = serializers.URLField(required=False, max_length=500)
    method = serializers.ChoiceField(
        choices=["GET", "HEAD", "POST", "PUT", "OPTIONS"], required=False
    )
    headers = serializers.DictField(child=serializers.CharField(), required=False)
    expected_status = serializers.CharField(required=False, max_length=100)
    keyword = serializers.CharField(required=False, max_length=200)
    json_path = serializers.CharField(required=False, max_length=200)
    json_value = serializers.CharField(required=False, max_length=200)
    max_response_ms = serializers.IntegerField(required=False, min_value=1)
    verify_tls = serializers.BooleanField(required=False)
    host = serializers.CharField(required=False, max_length=255)
    port = serializers.IntegerField(required=False, min_value=1, max_value=65535)
    interval_seconds = serializers.IntegerField(required=False, min_value=10)
    timeout_seconds = serializers.FloatField(required=False, min_value=0.1, max_value=60)
    retries = serializers.IntegerField(required=False, min_value=0, max_value=5)
    failure_threshold = serializers.IntegerField(required=False, min_value=1, max_value=100)
    success_threshold = serializers.IntegerField(required=False, min_value=1, max_value=100)
    period_seconds = serializers.IntegerField(required=False, min_value=60)
    grace_seconds = serializers.IntegerField(required=False, min_value=0)
    cron = serializers.CharField(required=False, max_length=100)
    time_zone = serializers.CharField(required=False, max_length=50)
    expected_pings = serializers.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class IncidentSerializer(serializers.ModelSerializer):
    check_id = serializers.IntegerField(source="check_ref_id", read_only=True)
    check_name = serializers.CharField(source="check_ref.name", read_only=True)
    acknowledged_by = serializers.StringRelatedField()
    suppressed_by = serializers.PrimaryKeyRelatedField(read_only=True)
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "check_id",
            "check_name",
            "state",
            "cause",
            "opened_at",
            "resolved_at",
            "acknowledged_at",
            "acknowledged_by",
            "suppressed_by",
            "duration_seconds",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, incident) -> int | None:
        duration = incident.duration
        return int(duration.total_seconds()) if duration is not None else None
