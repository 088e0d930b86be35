"""Serializers of the subscription API (the archive's are in ``serializers_archive``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.text import normalise_email

from ..models import Newsletter


class NewsletterSerializer(serializers.ModelSerializer):
    """A newsletter one can subscribe to, in both languages."""

    class Meta:
        model = Newsletter
        fields = [
            "code",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "publisher_zh",
            "publisher_en",
            "frequency_zh",
            "frequency_en",
        ]
        read_only_fields = fields


class NormalisedEmailSerializerField(serializers.EmailField):
    """An address as the subscription form reads it (full-width characters, controls and
    bidirectional marks removed) before it is validated."""

    def to_internal_value(self, data):
        return super().to_internal_value(normalise_email(data) if isinstance(data, str) else data)


class SubscriptionRequestSerializer(serializers.Serializer):
    email = NormalisedEmailSerializerField(
        max_length=254, help_text="The address to subscribe; the confirmation link goes there."
    )
    newsletters = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        allow_empty=False,
        max_length=20,
        help_text="Codes of the newsletters (GET /api/v1/epaper/newsletters/).",
        error_messages={"empty": _("Choose at least one newsletter.")},
    )
    language = serializers.ChoiceField(
        choices=["zh-hant", "en"],
        required=False,
        help_text="Language of the confirmation mail (default zh-hant).",
    )


class SubscriptionAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "accepted".')
    message = serializers.CharField()
