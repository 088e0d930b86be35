"""Read API of the public archive: ``GET /api/v1/epaper/newsletters/{code}/issues/``.

Public (no login; like the archive pages), newest first, paginated like every list of the
API (``page``, ``page_size``); only published issues (``published_at`` set). An unknown
newsletter answers 404 in the API's error shape.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions

from core.api.pagination import StandardPagination
from core.http import site_url

from ..selectors_archive import archive_newsletters, published_issues
from .serializers_archive import ArchiveIssueSerializer


class ArchivePagination(StandardPagination):
    page_size = 20
    max_page_size = 100


@extend_schema(tags=["epaper"])
class NewsletterIssueListView(generics.ListAPIView):
    """Published issues of one newsletter, newest first."""

    serializer_class = ArchiveIssueSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = ArchivePagination
    filter_backends = []

    def get_queryset(self):
        newsletter = get_object_or_404(archive_newsletters(), code=self.kwargs["code"])
        return published_issues(newsletter)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["site_root"] = site_url(settings.SITE_URL or self.request.build_absolute_uri("/"))
        return context

    @extend_schema(
        summary="Published issues of a newsletter",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The newsletter's code (see GET /api/v1/epaper/newsletters/), "
                "e.g. weekly.",
            )
        ],
        responses={
            200: ArchiveIssueSerializer(many=True),
            404: OpenApiResponse(description="No newsletter has this code."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
