"""``POST /api/v1/epaper/subscriptions/`` (start a double opt-in) and
``GET /api/v1/epaper/newsletters/`` (the newsletters one can subscribe to).

Both are public, like the subscription page: the list is public information, and a
subscription only ever mails a confirmation link to the address itself, which decides (the
consent is given on the confirmation page, which shows the privacy notice; the opt-in records
the source ``api``, the caller's IP address and the notice's version). The answer to a
subscription is the same 202 whether the address is new, waiting or already subscribed, so the
API tells nobody who subscribes. Invalid input is a 400 in the project's error shape naming
the field (an unknown or closed newsletter code under ``newsletters``); the rate limits of the
page apply per IP address and per e-mail address (429 with ``Retry-After``).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import API_ROOT_LINKS
from core.http import client_ip

from ..selectors import newsletters_open
from ..services.subscriptions import SOURCE_API, SubscriptionRefused, subscribe
from .serializers import (
    NewsletterSerializer,
    SubscriptionAcceptedSerializer,
    SubscriptionRequestSerializer,
)

if ("epaper", "api-v1:epaper-newsletter-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("epaper", "api-v1:epaper-newsletter-list"))


@extend_schema(tags=["epaper"])
class NewsletterListView(generics.ListAPIView):
    """The newsletters open for subscription, in their order (public)."""

    serializer_class = NewsletterSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = []

    def get_queryset(self):
        return newsletters_open()

    @extend_schema(summary="Newsletters open for subscription")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["epaper"])
class SubscriptionCreateView(APIView):
    """Start a double opt-in: the address receives a link that confirms the chosen lists."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Subscribe an address (double opt-in)",
        request=SubscriptionRequestSerializer,
        responses={
            202: SubscriptionAcceptedSerializer,
            400: OpenApiResponse(
                description="Invalid: the address, or an unknown or closed newsletter code."
            ),
            429: OpenApiResponse(description="Too many requests (Retry-After)."),
        },
    )
    def post(self, request):
        payload = SubscriptionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            subscribe(
                email=data["email"],
                newsletters=data["newsletters"],
                consent=True,
                ip=client_ip(request),
                source=SOURCE_API,
                language=data.get("language") or settings.LANGUAGE_CODE,
                base_url=request.build_absolute_uri("/"),
            )
        except SubscriptionRefused as exc:
            if getattr(exc, "code", None) == "rate":
                raise exceptions.Throttled(
                    wait=settings.EPAPER_RATE_WINDOW_SECONDS, detail=exc.messages[0]
                ) from exc
            raise
        return Response(
            {
                "status": "accepted",
                "message": _(
                    "A confirmation link has been mailed to the address, if it can subscribe. "
                    "The newsletters are sent once the link is confirmed."
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )
