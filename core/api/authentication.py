"""Authentication of the API endpoints that use the defaults (REST_FRAMEWORK
``DEFAULT_AUTHENTICATION_CLASSES``): the signed-in session.

``CredentialsRefused`` comes first. It authenticates nobody; it makes every credential a caller
sends count instead of being silently ignored: a request to such an endpoint with an
``Authorization`` header (a bearer token, Basic...) is refused with 401 and
``WWW-Authenticate: Bearer realm="api", error="invalid_token"`` (RFC 6750 §3.1). Endpoints that
accept tokens declare their own classes (the rights API, notifications, the metrics), which
validate the token and answer 401 for a bad one. Being first, it also names the scheme of the
401 an anonymous request gets (DRF answers 403 when no class names one).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

REALM = "api"


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"


class CredentialsRefused(authentication.BaseAuthentication):
    def authenticate(self, request):
        if request.META.get("HTTP_AUTHORIZATION", "").strip():
            raise InvalidToken(
                _(
                    "This endpoint does not accept the credentials sent in the Authorization "
                    "header. Sign in to the portal, or call an endpoint that accepts access "
                    "tokens."
                )
            )
        return None

    def authenticate_header(self, request):
        if request.META.get("HTTP_AUTHORIZATION", "").strip():
            return f'Bearer realm="{REALM}", error="invalid_token"'
        return f'Bearer realm="{REALM}"'


class CredentialsRefusedScheme(OpenApiAuthenticationExtension):
    """Nothing in the schema: the class authenticates nobody."""

    target_class = CredentialsRefused
    name = ()

    def get_security_definition(self, auto_schema):
        return []

    def get_security_requirement(self, auto_schema):
        return None
