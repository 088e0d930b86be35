"""The OpenID Connect / OAuth2 endpoints, mounted at ``/o/`` by ``mol_portal/urls.py``.

The namespace is django-oauth-toolkit's own (``oauth2_provider``), because its views reverse
their siblings by those names (discovery, issuer). Only what we serve is routed: no device
flow, no self-service application management, no dynamic client registration (applications
are registered by administrators in the admin).
"""

from django.urls import path, re_path
from oauth2_provider import views as dot_views

from . import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.PortalAuthorizationView.as_view(), name="authorize"),
    path("token/", views.PortalTokenView.as_view(), name="token"),
    path("revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.PortalIntrospectView.as_view(), name="introspect"),
    path("userinfo/", views.PortalUserInfoView.as_view(), name="user-info"),
    path("logout/", views.PortalLogoutView.as_view(), name="rp-initiated-logout"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.PortalDiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    path(
        ".well-known/oauth-authorization-server",
        dot_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]
