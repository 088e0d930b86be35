"""Serializers of the notifications API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import Channel, DeliveryState, NoticeKind, NoticeState

LANGUAGE_KEYS = {"zh-hant", "en"}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"zh-hant": {"type": "string"}, "en": {"type": "string"}},
            },
        ]
    }
)
class BilingualTextField(serializers.Field):
    """A string, or ``{"zh-hant": …, "en": …}`` (each person reads their language)."""

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            values = {"": data}
        elif isinstance(data, dict) and data and set(k.lower() for k in data) <= LANGUAGE_KEYS:
            values = {str(k).lower(): v for k, v in data.items()}
        else:
            raise serializers.ValidationError(
                _('Give a text, or an object with the keys "zh-hant" and "en".')
            )
        for value in values.values():
            if not isinstance(value, str):
                raise serializers.ValidationError(_("Each text must be a string."))
            if len(value) > self.max_length:
                raise serializers.ValidationError(
                    _("At most %(n)s characters.") % {"n": self.max_length}
                )
        if self.required and not any(v.strip() for v in values.values()):
            raise serializers.ValidationError(_("This field may not be blank."))
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"code": {"type": "string"}, "include_subunits": {"type": "boolean"}},
                "required": ["code"],
            },
        ]
    }
)
class UnitRecipientField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"code": {"type": "string"}, "unit": {"type": "string"}},
                "required": ["code"],
            },
        ]
    }
)
class RoleRecipientField(serializers.JSONField):
    pass


class RecipientsSerializer(serializers.Serializer):
    employees = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=10000,
        help_text="Employee numbers.",
    )  # fmt: skip
    units = serializers.ListField(
        child=UnitRecipientField(), required=False, max_length=500,
        help_text='Unit codes (members of the unit), or {"code": …, "include_subunits": true}.',
    )  # fmt: skip
    roles = serializers.ListField(
        child=RoleRecipientField(), required=False, max_length=500,
        help_text='Portal-wide role codes (holders anywhere), or {"code": …, "unit": <unit code>}.',
    )  # fmt: skip


def _check_entries(values, what: str):
    for value in values or []:
        if isinstance(value, str) and value:
            continue
        if isinstance(value, dict) and isinstance(value.get("code"), str) and value["code"]:
            continue
        raise serializers.ValidationError(
            {what: [_("Each entry is a code or an object with a code.")]}
        )


class NotificationInputSerializer(serializers.Serializer):
    message_id = serializers.CharField(
        max_length=200, help_text="The caller's id: a repeat returns the first result."
    )
    recipients = RecipientsSerializer()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    title = BilingualTextField(max_length=300)
    body = BilingualTextField(max_length=5000, required=False)
    link = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    due = serializers.DateTimeField(required=False, allow_null=True)

    def validate_link(self, value):
        if value and not (
            value.startswith(("https://", "http://"))
            or (value.startswith("/") and not value.startswith("//"))
        ):
            raise serializers.ValidationError(_("Give an http(s) address or a path on the portal."))
        return value

    def validate_recipients(self, value):
        _check_entries(value.get("units"), "units")
        _check_entries(value.get("roles"), "roles")
        return value


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The same id for a repeated message_id.")
    message_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    recipients = serializers.IntegerField(source="recipient_count", help_text="People reached.")
    created_at = serializers.DateTimeField()


class DeliveryStateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempts = serializers.IntegerField()
    sent_at = serializers.DateTimeField(allow_null=True)
    provider_id = serializers.CharField()
    error = serializers.CharField()
    fallback_of = serializers.IntegerField(allow_null=True)


class RecipientStateSerializer(serializers.Serializer):
    notice = serializers.IntegerField()
    employee = serializers.CharField()
    state = serializers.ChoiceField(choices=NoticeState.choices)
    deliveries = DeliveryStateSerializer(many=True)


class NotificationStateSerializer(NotificationSerializer):
    notices = RecipientStateSerializer(many=True)


class OutboxMetricsSerializer(serializers.Serializer):
    deliveries = serializers.DictField(child=serializers.IntegerField())
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    fallback = serializers.IntegerField()
    pending = serializers.IntegerField()
    queue_age_seconds = serializers.IntegerField()
    notices_unread = serializers.IntegerField()


__all__ = ["OpenApiTypes"]
