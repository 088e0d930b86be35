"""The ``/o/`` endpoints: django-oauth-toolkit's views with the portal's rules added.

* authorize: the access policy (refusal page, audited), consent skipped for internal
  applications and audited for external ones, the portal's templates; ``prompt=login`` and
  ``max_age`` re-authenticate, ``acr_values`` step up to the second factor; every redirect
  back carries ``iss`` (RFC 9207); a redirect that ends a form submission or a chain started
  on a portal page goes through a same-origin page (``continue.html``) because Chromium
  applies the CSP ``form-action`` to every redirect after a form POST;
* introspect: RFC 7662 for the client's own tokens, authenticated by the client's own
  credentials;
* userinfo: bearer token in the ``Authorization`` header only, user tokens only; counted;
* discovery: back-channel logout, acr values and our claims advertised;
* logout (RP-initiated, GET and POST): the portal's template, only the signed-in person's
  session ends, back-channel logout of the applications signed in from it.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import InvalidOIDCRedirectURIError, OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized

from ..choices import method_for_backend
from ..mfa import flow
from ..mfa.selectors import mfa_enrolled
from ..models import Application
from . import authn, metrics
from .choices import LogoutReason
from .clients import authenticate_client, parse_bearer
from .selectors import (
    access_token_by_value,
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

CONTINUE_TEMPLATE = "accounts/oidc/continue.html"


def _with_params(uri: str, params: dict) -> str:
    """``uri`` with ``params`` set in its query (replacing any of the same name)."""
    parts = list(urlparse(uri))
    query = [(k, v) for k, v in parse_qsl(parts[4], keep_blank_values=True) if k not in params]
    query.extend(params.items())
    parts[4] = urlencode(query)
    return urlunparse(parts)


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}".lower()


def _started_on_portal(request, own_origin: str) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value and value != "null":
            return _origin(value) == own_origin
    return False


def browser_redirect(request, target: str, allowed_schemes, application=None):
    """Send the browser to ``target`` on another origin.

    A plain 302 where that works; a same-origin page that navigates (meta refresh and a
    link) when the request started on a portal page: ``Sec-Fetch-Site: same-origin``, or
    (browsers without fetch metadata) an ``Origin`` or ``Referer`` of the portal. Chromium
    checks the CSP ``form-action`` of the page that submitted a form against every redirect
    that follows it, so a 302 to the application after the login form (login POST ->
    ``/o/authorize/`` -> application), the consent form or the logout confirmation would be
    blocked. The page is not a redirect, so the portal's ``form-action 'self'`` stays as
    strict as it is. Requests from elsewhere (the application's own redirect to the portal,
    programs) get the 302.
    """
    response = OAuth2ResponseRedirect(target, allowed_schemes)
    own = _origin(request.build_absolute_uri("/"))
    if _origin(target) == own or not _started_on_portal(request, own):
        return response
    page = render(
        request,
        CONTINUE_TEMPLATE,
        {"target": response["Location"], "application_name": application_display_name(application)},
    )
    page["Cache-Control"] = "no-store"
    page["Referrer-Policy"] = "origin"
    return page


class PortalAuthorizationView(dot_views.AuthorizationView):
    """The authorization endpoint. Anonymous users go to the login page first (the view is
    ``LoginRequiredMixin``); then the request's own checks (response type, request objects),
    the application's access policy, re-authentication and step-up, then consent."""

    template_name = "accounts/oidc/authorize.html"
    refused_template_name = "accounts/oidc/refused.html"

    def _application(self, client_id: str) -> Application | None:
        if not client_id:
            return None
        try:
            return Application.objects.filter(client_id=client_id).first()
        except ValueError:
            return None

    # --- Redirects back to the application --------------------------------------------

    def redirect(self, redirect_to, application):
        """Every redirect to the application carries ``iss`` (RFC 9207: errors too), and
        leaves through ``browser_redirect`` (the CSP ``form-action`` rule)."""
        if application is None:
            allowed_schemes = oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
        else:
            allowed_schemes = application.get_allowed_schemes()
        if not redirect_to.startswith("/"):
            issuer = oauth2_settings.oauth2_authorization_server_issuer(self.request)
            redirect_to = _with_params(redirect_to, {"iss": issuer})
        return browser_redirect(self.request, redirect_to, allowed_schemes, application)

    def _error_to_client(self, request, application, error: str, description: str = ""):
        """``error`` on the application's redirect URI, once the client and the URI are known
        to be registered (never to an unregistered URI); otherwise the error page."""
        data = request.GET if request.method == "GET" else request.POST
        redirect_uri = data.get("redirect_uri", "")
        if (
            application is None
            or not redirect_uri
            or not self._redirect_uri_ok(application, redirect_uri)
        ):
            return render(
                request,
                self.template_name,
                {"error": {"error": error, "description": description}},
                status=400,
            )
        params = {"error": error}
        if description:
            params["error_description"] = description
        if data.get("state"):
            params["state"] = data["state"]
        return self.redirect(_with_params(redirect_uri, params), application)

    @staticmethod
    def _redirect_uri_ok(application, redirect_uri: str) -> bool:
        validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
        return validator.redirect_uri_registered(application, redirect_uri)

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
        return self.redirect(_with_params(credentials["redirect_uri"], params), application)

    def _refusal(self, request, application: Application):
        """The answer when the policy does not admit the user. With ``prompt=none`` (a silent
        sign-in) the application gets ``access_denied`` on its redirect URI; people get a
        page saying why and whom to ask."""
        policy_refusal_record(user=request.user, application=application, step="authorize")
        prompt = set(request.GET.get("prompt", "").split())
        if request.method == "GET" and "none" in prompt:
            return self._silent_error(request, application, "access_denied")
        return render(
            request,
            self.refused_template_name,
            {"application": application, "application_name": application_display_name(application)},
            status=403,
        )

    # --- Checks before django-oauth-toolkit's ----------------------------------------

    def _unsupported(self, request, application):
        """Parameters the portal does not support, answered with their own error codes."""
        if request.GET.get("response_type", "code") != "code":
            return self._error_to_client(
                request, application, "unsupported_response_type", "Only response_type=code."
            )
        if "request" in request.GET:
            return self._error_to_client(request, application, "request_not_supported")
        if "request_uri" in request.GET:
            return self._error_to_client(request, application, "request_uri_not_supported")
        return None

    def _reauthentication(self, request, prompt: set[str]):
        """``prompt=login`` or a ``max_age`` the session is older than: back to the login page
        (password and, for those who have one, the second factor), returning here with a
        signed marker so the fresh login is not asked for again."""
        asked_at = authn.reauth_asked_at(request.GET.get(authn.REAUTH_PARAM, ""))
        logged_in_at = authn.login_time(request)
        if asked_at is not None and logged_in_at >= asked_at:
            return None
        needed = "login" in prompt
        max_age = request.GET.get("max_age", "")
        if max_age.isdigit() and time.time() - logged_in_at > int(max_age):
            needed = True
        if not needed:
            return None
        if "none" in prompt:
            return self._silent_error(request, None, "login_required")
        try:
            self.validate_authorization_request(request)
        except OAuthToolkitError as exc:
            return self.error_response(exc, application=None)
        next_url = authn.url_with(
            request.get_full_path(),
            add={authn.REAUTH_PARAM: authn.reauth_marker()},
            drop_prompt="login",
        )
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")

    def _step_up(self, request, prompt: set[str]):
        """``acr_values`` asking for two factors from a password-only session: the second
        factor is asked before the code is issued (set up first by someone who has none)."""
        wanted = authn.acr_requested(request.GET.get("acr_values", ""))
        if wanted != authn.ACR_TWO_FACTOR:
            return None
        amr = authn.authentication_methods(request)
        if authn.authentication_class(amr) == authn.ACR_TWO_FACTOR:
            return None
        if "none" in prompt:
            return self._silent_error(request, None, "interaction_required")
        try:
            self.validate_authorization_request(request)
        except OAuthToolkitError as exc:
            return self.error_response(exc, application=None)
        backend = request.session.get("_auth_user_backend", "")
        flow.pending_start(
            request,
            user=request.user,
            backend=backend,
            method=method_for_backend(backend),
            next_url=request.get_full_path(),
        )
        # Someone without a second factor sets one up now, as in a login the policy asks it of.
        return redirect(
            "accounts:login_verify" if mfa_enrolled(request.user) else "accounts:login_enrol"
        )

    def get(self, request, *args, **kwargs):
        application = self._application(request.GET.get("client_id", ""))
        unsupported = self._unsupported(request, application)
        if unsupported is not None:
            return unsupported
        if application is not None:
            if not user_may_use(request.user, application):
                return self._refusal(request, application)
            application_consent_flag_align(application=application)
            prompt = set(request.GET.get("prompt", "").split())
            answer = self._reauthentication(request, prompt) or self._step_up(request, prompt)
            if answer is not None:
                return answer
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

    def create_authorization_response(self, request, scopes, credentials, allow):
        """Issue the code with the session's authentication context (``auth_time``, ``amr``,
        ``acr``, ``sid``) attached for the ID token, and remember the application in the
        session (back-channel logout of this browser session)."""
        if request.method == "GET":
            sent = "redirect_uri" in request.GET
        else:
            sent = request.POST.get("redirect_uri_sent", "True") != "False"
        credentials = {
            **credentials,
            "mol_auth_context": authn.auth_context(request, redirect_uri_sent=sent),
        }
        result = super().create_authorization_response(request, scopes, credentials, allow)
        authn.session_app_add(request.session, credentials["client_id"])
        return result

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = kwargs.get("scopes") or []
        descriptions = kwargs.get("scopes_descriptions") or []
        context["scope_items"] = list(zip(scopes, descriptions, strict=False))
        context["application_name"] = application_display_name(context.get("application"))
        context["redirect_uri_sent"] = "redirect_uri" in self.request.GET
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


def _bearer_error(status: int, error: str, description: str) -> JsonResponse:
    """An RFC 6750 error answer (``WWW-Authenticate: Bearer error=...``)."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    return response


@method_decorator(never_cache, name="dispatch")
class PortalUserInfoView(dot_views.UserInfoView):
    """Userinfo for a person's access token, sent in the ``Authorization`` header only (a
    token in the query string ends up in access logs; RFC 9700 §4.3.2 and RFC 6750 §5.3). A
    client-credentials token names no person: ``invalid_token``."""

    def _create_userinfo_response(self, request):
        if "access_token" in request.GET or "access_token" in request.POST:
            return _bearer_error(
                400,
                "invalid_request",
                "Send the access token in the Authorization header, not as a parameter.",
            )
        value = parse_bearer(request.META.get("HTTP_AUTHORIZATION", ""))
        if value is None:
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = 'Bearer realm="userinfo"'
            return response
        token = access_token_by_value(value)
        if token is not None and token.user_id is None:
            return _bearer_error(401, "invalid_token", "This token was not issued for a person.")
        response = super()._create_userinfo_response(request)
        if response.status_code == 200:
            metrics.increment("sso_userinfo_requests_total")
        return response


class PortalDiscoveryView(dot_views.ConnectDiscoveryInfoView):
    """The discovery document, with back-channel logout (with ``sid``), the introspection and
    revocation endpoints, the acr values and what is really supported advertised."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "introspection_endpoint": self._get_endpoint_url(request, "introspect"),
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
                "grant_types_supported": oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED,
                "code_challenge_methods_supported": ["S256"],
                "ui_locales_supported": ["zh-Hant", "en"],
                # Every ID token is RS256 (application_prepare); HS256 is never used.
                "id_token_signing_alg_values_supported": [Application.RS256_ALGORITHM],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",  # public clients (PKCE, no secret)
                ],
                "acr_values_supported": authn.ACR_VALUES_SUPPORTED,
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
                "response_modes_supported": ["query"],
            }
        )
        new = JsonResponse(data)
        for header in ("Access-Control-Allow-Origin",):
            if header in response:
                new[header] = response[header]
        return new


@method_decorator(csrf_exempt, name="dispatch")
class PortalLogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout, by GET or POST (OpenID Connect RP-Initiated Logout 1.0 §2: a POST
    from an application carries no CSRF token, so the view is CSRF-exempt; the portal's own
    confirmation form, marked by ``mol_confirm``, is still CSRF-checked).

    Only the session of the person signed in in this browser ends (§4): an ``id_token_hint``
    never signs anybody out by itself. Nobody signed in: nothing to end, the browser goes
    back to the application. Somebody else signed in: they are asked, and confirming ends
    *their* session and tokens, not the hinted person's. Ending the portal session tells the
    applications signed in from it through back-channel logout (``accounts.oidc.receivers``).
    """

    template_name = "accounts/oidc/logout_confirm.html"

    def post(self, request, *args, **kwargs):
        if request.POST.get("mol_confirm"):
            refused = csrf_protect(lambda _request: None)(request)
            if refused is not None:
                return refused
            return super().post(request, *args, **kwargs)
        # An application's logout request sent by POST: handled like the GET.
        request.GET = request.POST
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["application_name"] = application_display_name(context.get("application"))
        return context

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        session_user = self.request.user if self.request.user.is_authenticated else None
        if session_user is not None:
            audit_oidc_event(
                event="rp_logout", application=application, user=session_user, actor=session_user
            )
            # Read by the user_logged_out receiver: the reason recorded on the deliveries.
            self.request.oidc_logout_reason = LogoutReason.RP_LOGOUT
            # django-oauth-toolkit ends the tokens of token_user or else of the session
            # user: never those of a hinted person who is not the one signed in.
            response = super().do_logout(application, post_logout_redirect_uri, state, None)
        else:
            response = self._back_to_application(application, post_logout_redirect_uri, state)
        if response.status_code == 302:
            return browser_redirect(
                self.request, response["Location"], response.allowed_schemes, application
            )
        return response

    def validate_post_logout_redirect_uri(self, application, post_logout_redirect_uri):
        """As for redirect URIs: the loopback any-port rule only for public clients."""
        super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        if (
            post_logout_redirect_uri
            and application.client_type != Application.CLIENT_PUBLIC
            and post_logout_redirect_uri not in application.post_logout_redirect_uris.split()
        ):
            raise InvalidOIDCRedirectURIError(
                "This client does not have this redirect uri registered."
            )

    def _back_to_application(self, application, post_logout_redirect_uri, state):
        """Nobody is signed in here: nothing to end; back where the application asked."""
        if post_logout_redirect_uri and application is not None:
            target = post_logout_redirect_uri
            if state:
                target = _with_params(target, {"state": state})
            return OAuth2ResponseRedirect(target, application.get_allowed_schemes())
        return OAuth2ResponseRedirect(
            self.request.build_absolute_uri("/"), oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
        )
