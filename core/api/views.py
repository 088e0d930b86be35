from collections import OrderedDict

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core.models import County, Organization

from .serializers import CountySerializer, OrganizationSerializer

# Apps add their endpoints to the API root by appending (name, url_name) here from their
# api/urls.py; the root lists them without being edited.
API_ROOT_LINKS: list[tuple[str, str]] = [
    ("organizations", "api-v1:organization-list"),
    ("counties", "api-v1:county-list"),
]


class ApiRootView(APIView):
    """Entry point of the REST API: links to each resource collection."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer("ApiRoot", fields={"links": serializers.DictField()}),
    )
    def get(self, request, *args, **kwargs):
        links = OrderedDict(
            (name, reverse(url_name, request=request)) for name, url_name in API_ROOT_LINKS
        )
        links["schema"] = reverse("api-schema", request=request)
        links["docs"] = reverse("api-docs", request=request)
        return Response({"links": links})


class OrganizationFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", label="parent code")

    class Meta:
        model = Organization
        fields = ["kind", "is_active", "parent"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of the organisation tree (reference data for other systems)."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.select_related("parent", "county").order_by(
        "sort_order", "code"
    )
    lookup_field = "code"
    filterset_class = OrganizationFilter
    search_fields = ["code", "name_zh", "name_en", "abbreviation"]
    ordering_fields = ["code", "sort_order", "name_zh"]


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    """Taiwan's 22 counties and cities with the Ministry of the Interior's codes."""

    serializer_class = CountySerializer
    queryset = County.objects.order_by("sort_order", "code")
    lookup_field = "code"
    filterset_fields = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
