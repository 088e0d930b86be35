from rest_framework import serializers

from core.models import County, Organization


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "letter", "name_zh", "name_en", "kind"]


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "code",
            "name_zh",
            "name_en",
            "abbreviation",
            "kind",
            "parent",
            "county",
            "is_active",
        ]
