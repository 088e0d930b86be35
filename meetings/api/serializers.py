from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Organization

from ..models import AgendaItem, Meeting, MeetingBook, TrackedCase, UnitReport
from ..services.filing import plain_text


class MeetingUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name_zh", "name_en"]


class MeetingSerializer(serializers.ModelSerializer):
    series = serializers.SlugRelatedField(slug_field="code", read_only=True)
    series_name = serializers.CharField(source="series.name", read_only=True)
    chair = serializers.CharField(source="chair.display_name", read_only=True, default="")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "series_name",
            "year",
            "sequence",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "chair",
            "status",
            "filing_deadline",
            "url",
        ]


class MeetingAgendaItemSerializer(serializers.ModelSerializer):
    unit = MeetingUnitSerializer(read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "description", "unit", "decision"]


class MeetingReportSerializer(serializers.ModelSerializer):
    unit = MeetingUnitSerializer(read_only=True)
    summary_text = serializers.SerializerMethodField()
    issues_text = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = UnitReport
        fields = [
            "id",
            "unit",
            "status",
            "filed_at",
            "summary_text",
            "issues_text",
            "figures",
            "attachments",
        ]

    def get_summary_text(self, report) -> str:
        return plain_text(report.summary)

    def get_issues_text(self, report) -> str:
        return plain_text(report.issues)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_attachments(self, report):
        return [a.name for a in report.attachments.all()]


class MeetingBookSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingBook
        fields = ["version", "pages", "built_at"]


class TrackedCaseSerializer(serializers.ModelSerializer):
    lead_unit = MeetingUnitSerializer(read_only=True)
    co_units = MeetingUnitSerializer(many=True, read_only=True)
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = TrackedCase
        fields = [
            "id",
            "number",
            "meeting",
            "directive",
            "lead_unit",
            "co_units",
            "due_date",
            "status",
            "proposal",
            "is_overdue",
            "closed_at",
            "url",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    items = MeetingAgendaItemSerializer(many=True, read_only=True)
    reports = serializers.SerializerMethodField()
    books = serializers.SerializerMethodField()
    carried_cases = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "items", "reports", "books", "carried_cases"]

    @extend_schema_field(MeetingReportSerializer(many=True))
    def get_reports(self, meeting):
        return MeetingReportSerializer(self.context["reports"], many=True).data

    @extend_schema_field(MeetingBookSerializer(many=True))
    def get_books(self, meeting):
        return MeetingBookSerializer(self.context["books"], many=True).data

    @extend_schema_field(TrackedCaseSerializer(many=True))
    def get_carried_cases(self, meeting):
        return TrackedCaseSerializer(self.context["cases"], many=True).data


class MeetingSearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField(source="entry.kind")
    title = serializers.CharField(source="entry.title")
    meeting = serializers.IntegerField(source="entry.meeting_id")
    meeting_title = serializers.CharField(source="entry.meeting.title")
    unit = serializers.CharField(source="entry.unit.code", default=None)
    day = serializers.DateField(source="entry.day")
    url = serializers.CharField(source="entry.url")
    snippet = serializers.CharField(
        help_text="Text around the match; matches in <mark>, the rest HTML-escaped."
    )
