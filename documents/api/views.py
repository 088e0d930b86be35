"""REST API of the register: other systems register documents and read their status."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..filters import DocumentFilter
from .permissions import PluggablePermissionsMixin
from .serializers import (
    DocumentRegisterInputSerializer,
    DocumentSerializer,
    DocumentStatusSerializer,
)


class DocumentListCreateView(PluggablePermissionsMixin, generics.ListAPIView):
    """Documents visible to the caller (GET) and registration of a new one (POST)."""

    serializer_class = DocumentSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = DocumentFilter

    def get_queryset(self):
        return selectors.document_list(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary="Register a document",
        request=DocumentRegisterInputSerializer,
        responses={
            201: DocumentStatusSerializer,
            200: OpenApiResponse(
                DocumentStatusSerializer,
                description="The same external_system/external_id was registered before.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        payload = DocumentRegisterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        steps = data.pop("steps")
        try:
            document = services.document_register_with_signoff(
                steps=steps, started_by=request.user, actor=request.user, **data
            )
        except PermissionDenied as exc:
            raise exceptions.ValidationError(
                {"unit": [_("You may not register documents for this unit.")]}
            ) from exc
        except services.SignOffError as exc:
            raise exceptions.ValidationError({"steps": [exc.message]}) from exc
        created = document.created
        document = selectors.document_detail(user=request.user, pk=document.pk)
        return Response(
            DocumentStatusSerializer(document).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DocumentStatusView(PluggablePermissionsMixin, APIView):
    """Status, sign-off steps and timeline of one document, by id."""

    @extend_schema(summary="Read a document's status", responses=DocumentStatusSerializer)
    def get(self, request, pk: int):
        document = selectors.document_detail(user=request.user, pk=pk)
        return Response(DocumentStatusSerializer(document).data)


class DocumentByNumberView(PluggablePermissionsMixin, APIView):
    """Status, sign-off steps and timeline of one document, by its number (字號)."""

    @extend_schema(summary="Read a document's status by number", responses=DocumentStatusSerializer)
    def get(self, request, number: str):
        document = selectors.document_by_number(user=request.user, number=number)
        return Response(DocumentStatusSerializer(document).data)
