"""How callers of the rights API authenticate: as an application, by its own credentials."""

import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..oidc.clients import authenticate_client, parse_bearer


class ClientCredentialsAuthentication(authentication.BaseAuthentication):
    """The calling *application*, by one of:

    * ``Authorization: Bearer <access token>`` issued to it - from a client-credentials grant
      (the application itself) or, for role changes, a user token of one of its administrators;
    * ``Authorization: Basic base64(client_id:client_secret)`` - confidential clients. This is
      how an application registered for the authorization-code grant calls the API as itself:
      django-oauth-toolkit gives each application one grant type, so it cannot also obtain a
      client-credentials token.

    ``request.auth`` is the ``ClientCaller``; ``request.user`` the administrator behind a user
    token, else anonymous.
    """

    www_authenticate_realm = "sso"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.split(" ", 1)[0].lower() if header else ""
        if scheme not in ("bearer", "basic"):
            return None
        caller = authenticate_client(request._request)
        if caller is None:
            raise exceptions.AuthenticationFailed(
                _("The client credentials or the access token are not valid.")
            )
        return (caller.user or AnonymousUser(), caller)

    def authenticate_header(self, request):
        realm = self.www_authenticate_realm
        return f'Bearer realm="{realm}", Basic realm="{realm}"'


class MetricsTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <SSO_METRICS_TOKEN>`` for monitoring systems."""

    def authenticate(self, request):
        value = parse_bearer(request.META.get("HTTP_AUTHORIZATION", ""))
        expected = settings.SSO_METRICS_TOKEN
        if value is None or not expected:
            return None
        if not hmac.compare_digest(value.encode(), expected.encode()):
            raise exceptions.AuthenticationFailed(_("The monitoring token is not valid."))
        return (AnonymousUser(), "metrics")

    def authenticate_header(self, request):
        return 'Bearer realm="metrics"'


from . import schema  # noqa: E402,F401 - registers the OpenAPI descriptions of these classes
