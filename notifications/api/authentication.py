"""Who calls the notifications API: an application with an OAuth2 client-credentials token."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.oidc.clients import ClientCaller, authenticate_client, parse_bearer

from ..constants import SCOPE_SEND
from ..selectors import api_client_for


class ClientTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <access token>``. ``request.auth`` is the ``ClientCaller``.
    No header: anonymous (the permission answers 401); a bad token: 401."""

    def authenticate(self, request):
        if parse_bearer(request.META.get("HTTP_AUTHORIZATION", "")) is None:
            return None
        caller = authenticate_client(request._request)
        if caller is None or caller.token is None:
            raise exceptions.AuthenticationFailed(
                _("The access token is not valid or has expired.")
            )
        return (caller.user or AnonymousUser(), caller)

    def authenticate_header(self, request):
        return f'Bearer realm="notifications", scope="{SCOPE_SEND}"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = ClientTokenAuthentication
    name = "clientCredentials"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "OAuth2 client credentials from the token endpoint /o/token/.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {SCOPE_SEND: "Send notices"},
                }
            },
        }


def caller_of(request) -> ClientCaller | None:
    return request.auth if isinstance(request.auth, ClientCaller) else None


class CanSendNotices(permissions.BasePermission):
    """A client-credentials token holding ``notifications:send``, of an application an
    administrator registered as an API sender (admin: Notifications › API senders)."""

    message = _(
        "The token must hold the scope “notifications:send” and its application must be "
        "registered as an API sender."
    )

    def has_permission(self, request, view):
        caller = caller_of(request)
        if caller is None or caller.token is None or not caller.is_client_itself:
            return False
        if SCOPE_SEND not in caller.scopes:
            return False
        client = api_client_for(caller.application)
        if client is None:
            return False
        request.notification_client = client
        return True


class ClientRateThrottle(throttling.BaseThrottle):
    """A fixed window per client and minute in the cache: ``ApiClient.rate_per_minute`` or
    ``NOTIFICATIONS_API_RATE_PER_MINUTE``. A cache outage lets requests through (the API must
    not fail because Redis does)."""

    def allow_request(self, request, view):
        client = getattr(request, "notification_client", None)
        if client is None:
            return True
        limit = client.rate_per_minute or settings.NOTIFICATIONS_API_RATE_PER_MINUTE
        now = timezone.now()
        self._wait = 60 - now.second
        key = f"notifications:rate:{client.pk}:{now:%Y%m%d%H%M}"
        try:
            added = cache.add(key, 1, timeout=70)
            count = 1 if added else cache.incr(key)
        except Exception:  # noqa: BLE001 - degrade open
            return True
        return count <= limit

    def wait(self):
        return getattr(self, "_wait", 60)
