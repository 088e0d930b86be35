"""OpenAPI (drf-spectacular) descriptions of the rights API's authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.ClientCredentialsAuthentication"
    name = ["ssoClientBearer", "ssoClientBasic"]

    def get_security_requirement(self, auto_schema):
        return [{"ssoClientBearer": []}, {"ssoClientBasic": []}]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": (
                    "An access token issued to the calling application (client-credentials grant; "
                    "for role changes, a user token of one of the application's administrators)."
                ),
            },
            {
                "type": "http",
                "scheme": "basic",
                "description": "client_id:client_secret of a confidential application.",
            },
        ]


class MetricsTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.MetricsTokenAuthentication"
    name = "ssoMetricsToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The monitoring token set in SSO_METRICS_TOKEN.",
        }
