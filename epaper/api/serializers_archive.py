"""Serializers of the archive's read API: published issues only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.http import absolute_url

from ..models import Issue
from ..services.issues import clean_html


class ArchiveIssueSerializer(serializers.ModelSerializer):
    """One published issue: its stable number, title, publication time, public page (absolute)
    and both parts of its content (sanitised HTML, plain text)."""

    newsletter = serializers.SlugRelatedField(slug_field="code", read_only=True)
    url = serializers.SerializerMethodField(help_text="The issue's page in the public archive.")
    html = serializers.SerializerMethodField(help_text="Sanitised HTML of the issue.")

    class Meta:
        model = Issue
        fields = ["newsletter", "number", "title", "published_at", "url", "html", "text"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, issue) -> str:
        return absolute_url(issue.get_absolute_url(), self.context.get("site_root", ""))

    @extend_schema_field(OpenApiTypes.STR)
    def get_html(self, issue) -> str:
        return clean_html(issue.html)
