"""The ``/o/`` endpoints: django-oauth-toolkit's views with the portal's rules added.

* authorize: the access policy (refusal page, audited), consent skipped for internal
  applications and audited for external ones, the portal's templates;
* introspect: RFC 7662 for the client's own tokens, authenticated by the client's own
  credentials;
* userinfo: counted; discovery: back-channel logout and our claims advertised;
* logout (RP-initiated): the portal's template, back-channel logout of the other applications.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized

from ..models import Application
from . import metrics
from .backchannel import notify_user_logout
from .choices import LogoutReason
from .clients import authenticate_client
from .selectors import (
    application_display_name,
    token_introspection,
    user_has_consented,
    user_may_use,
)
from .services import (
    application_consent_flag_align,
    audit_oidc_event,
    consent_record,
    policy_refusal_record,
)


class PortalAuthorizationView(dot_views.AuthorizationView):
    """The authorization endpoint. Anonymous users go to the login page first (the view is
    ``LoginRequiredMixin``); then the application's access policy decides, then consent."""

    template_name = "accounts/oidc/authorize.html"
    refused_template_name = "accounts/oidc/refused.html"

    def _application(self, client_id: str) -> Application | None:
        if not client_id:
            return None
        try:
            return Application.objects.filter(client_id=client_id).first()
        except ValueError:
            return None

    def _refusal(self, request, application: Application):
        """The answer when the policy does not admit the user. With ``prompt=none`` (a silent
        sign-in) the application gets ``access_denied`` on its redirect URI; people get a
        page saying why and whom to ask."""
        policy_refusal_record(user=request.user, application=application, step="authorize")
        prompt = set(request.GET.get("prompt", "").split())
        if request.method == "GET" and "none" in prompt:
            return self._silent_error(request, application, "access_denied")
        response = render(
            request,
            self.refused_template_name,
            {"application": application, "application_name": application_display_name(application)},
            status=403,
        )
        return response

    def _silent_error(self, request, application, error: str):
        """Answer a ``prompt=none`` request with ``error`` on the application's (validated)
        redirect URI."""
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as exc:
            return self.error_response(exc, application=None)
        params = {"error": error}
        if credentials.get("state"):
            params["state"] = credentials["state"]
        redirect_uri = credentials["redirect_uri"]
        separator = "&" if "?" in redirect_uri else "?"
        return self.redirect(redirect_uri + separator + urlencode(params), application)

    def get(self, request, *args, **kwargs):
        application = self._application(request.GET.get("client_id", ""))
        if application is not None:
            if not user_may_use(request.user, application):
                return self._refusal(request, application)
            application_consent_flag_align(application=application)
            prompt = set(request.GET.get("prompt", "").split())
            scopes = request.GET.get("scope", "").split()
            if (
                "none" in prompt
                and not application.is_internal
                and not user_has_consented(request.user, application, scopes)
            ):
                return self._silent_error(request, application, "consent_required")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        application = self._application(request.POST.get("client_id", ""))
        if application is not None and not user_may_use(request.user, application):
            return self._refusal(request, application)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        application = self._application(form.cleaned_data.get("client_id", ""))
        if application is not None:
            consent_record(
                user=self.request.user,
                application=application,
                granted=bool(form.cleaned_data.get("allow")),
                scope=form.cleaned_data.get("scope", ""),
            )
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = kwargs.get("scopes") or []
        descriptions = kwargs.get("scopes_descriptions") or []
        context["scope_items"] = list(zip(scopes, descriptions, strict=False))
        context["application_name"] = application_display_name(context.get("application"))
        return context


class PortalTokenView(dot_views.TokenView):
    """The token endpoint. Issued tokens are audited and counted by the validator; the
    ``app_authorized`` signal (which costs a query to load the new token back) is sent only
    when something listens to it."""

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(self, request, *args, **kwargs):
        if app_authorized.has_listeners():
            return super().authorization_flow_token_response(request, *args, **kwargs)
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for key, value in headers.items():
            response[key] = value
        return response


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class PortalIntrospectView(View):
    """RFC 7662 token introspection. The caller authenticates with its own credentials (Basic,
    form body, or one of its own bearer tokens) and learns only about its own tokens: another
    client's token is ``{"active": false}``."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        caller = authenticate_client(request, allow_body=True)
        if caller is None:
            response = JsonResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                status=401,
            )
            response["WWW-Authenticate"] = 'Basic realm="introspection"'
            return response
        value = request.POST.get("token", "")
        if not value:
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "The token parameter is missing.",
                },
                status=400,
            )
        data, _user_id = token_introspection(
            caller.application, value, request.POST.get("token_type_hint", "")
        )
        if data["active"]:
            data["iss"] = oauth2_settings.oidc_issuer(request)
        metrics.increment("sso_introspections_total", active=str(data["active"]).lower())
        return JsonResponse(data)


@method_decorator(never_cache, name="dispatch")
class PortalUserInfoView(dot_views.UserInfoView):
    def _create_userinfo_response(self, request):
        response = super()._create_userinfo_response(request)
        if response.status_code == 200:
            metrics.increment("sso_userinfo_requests_total")
        return response


class PortalDiscoveryView(dot_views.ConnectDiscoveryInfoView):
    """The discovery document, with back-channel logout and the introspection and revocation
    endpoints advertised."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": False,
                "introspection_endpoint": self._get_endpoint_url(request, "introspect"),
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
                "grant_types_supported": oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED,
                "code_challenge_methods_supported": ["S256"],
                "ui_locales_supported": ["zh-Hant", "en"],
            }
        )
        new = JsonResponse(data)
        for header in ("Access-Control-Allow-Origin",):
            if header in response:
                new[header] = response[header]
        return new


class PortalLogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout. Ending the portal session (``logout()``) tells every other
    application the person is signed in to through back-channel logout (see
    ``accounts.oidc.receivers``); when nobody was signed in to the portal in this browser the
    person named by ``id_token_hint`` is signed out of the applications here."""

    template_name = "accounts/oidc/logout_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["application_name"] = application_display_name(context.get("application"))
        return context

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        session_user = self.request.user if self.request.user.is_authenticated else None
        person = token_user or session_user
        if person is not None:
            audit_oidc_event(event="rp_logout", application=application, user=person, actor=person)
        # Read by the user_logged_out receiver: the reason recorded on the deliveries.
        self.request.oidc_logout_reason = LogoutReason.RP_LOGOUT
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        if token_user is not None and (session_user is None or session_user.pk != token_user.pk):
            notify_user_logout(user_id=token_user.pk, reason=LogoutReason.RP_LOGOUT)
        return response
