"""``POST /api/v1/notifications/`` for external systems, the delivery states of what they
sent, and the outbox counters for monitoring."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.fields import DateTimeField
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import MetricsTokenAuthentication
from accounts.api.permissions import IsMonitoring

from .. import selectors, services
from .authentication import CanSendNotices, ClientRateThrottle, ClientTokenAuthentication
from .serializers import (
    NotificationInputSerializer,
    NotificationSerializer,
    NotificationStateSerializer,
    OutboxMetricsSerializer,
)

ERRORS = {
    401: OpenApiResponse(description="No valid access token."),
    403: OpenApiResponse(
        description="The token lacks notifications:send, or its application is no sender."
    ),
    429: OpenApiResponse(description="The client's rate limit is used up (Retry-After)."),
}


_DATETIME = DateTimeField()


def _created(message) -> dict:
    """``NotificationSerializer(message).data``, without building a serializer per request."""
    return {
        "id": message.pk,
        "message_id": message.message_id,
        "kind": message.kind,
        "recipients": message.recipient_count,
        "created_at": _DATETIME.to_representation(message.created_at),
    }


def _state(message) -> dict:
    return {
        "id": message.pk,
        "message_id": message.message_id,
        "kind": message.kind,
        "recipient_count": message.recipient_count,
        "created_at": message.created_at,
        "notices": selectors.api_message_states(message),
    }


class SenderView(APIView):
    authentication_classes = [ClientTokenAuthentication]
    permission_classes = [CanSendNotices]
    throttle_classes = [ClientRateThrottle]


@extend_schema(tags=["notifications"])
class NotificationListView(SenderView):
    """Send a notice to people, units and roles; or find one by the caller's message id."""

    @extend_schema(
        summary="Send a notice",
        request=NotificationInputSerializer,
        responses={
            201: NotificationSerializer,
            400: OpenApiResponse(description="Invalid, e.g. unknown employee numbers."),
            **ERRORS,
        },
    )
    def post(self, request):
        payload = NotificationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message, created = services.api_message_create(
            client=request.notification_client, data=payload.validated_data
        )
        headers = {"Location": f"{request.path}{message.pk}/"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(_created(message), status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(
        operation_id="notifications_by_message_id",
        summary="Delivery states by the caller's message id",
        parameters=[OpenApiParameter("message_id", OpenApiTypes.STR, required=True)],
        responses={
            200: NotificationStateSerializer,
            404: OpenApiResponse(description="Unknown."),
            **ERRORS,
        },
    )
    def get(self, request):
        client = request.notification_client
        message = client.messages.filter(
            message_id=request.query_params.get("message_id", "")
        ).first()
        if message is None:
            raise Http404
        return Response(NotificationStateSerializer(_state(message)).data)


@extend_schema(tags=["notifications"])
class NotificationDetailView(SenderView):
    @extend_schema(
        summary="Delivery states of a notice this client sent",
        responses={
            200: NotificationStateSerializer,
            404: OpenApiResponse(description="Unknown."),
            **ERRORS,
        },
    )
    def get(self, request, pk: int):
        message = selectors.api_message_of(request.notification_client, pk)
        if message is None:
            raise Http404
        return Response(NotificationStateSerializer(_state(message)).data)


@extend_schema(tags=["notifications"])
class OutboxMetricsView(APIView):
    """Outbox counters for monitoring (the SSO metrics token, or a staff session)."""

    authentication_classes = [MetricsTokenAuthentication, SessionAuthentication]
    permission_classes = [IsMonitoring]

    @extend_schema(summary="Outbox counters", responses={200: OutboxMetricsSerializer})
    def get(self, request):
        return Response(OutboxMetricsSerializer(selectors.outbox_metrics()).data)
