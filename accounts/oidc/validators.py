"""The portal's OAuth2/OpenID Connect request validator (``OAUTH2_VALIDATOR_CLASS``).

On top of django-oauth-toolkit's validator it:

* puts the portal's claims in ID tokens and userinfo: an opaque stable ``sub``, the employee
  number, both names, the unit, the e-mail and the user's roles *in the requesting application
  only*;
* verifies our own JWTs (``id_token_hint`` of RP-initiated logout) with the key named by their
  ``kid`` among every published key, so tokens signed before a key rotation still verify;
* audits and counts every token issued, refreshed and revoked;
* refuses a refresh token or an authorization code once its user is deactivated or no longer
  admitted by the application's access policy;
* remembers at which applications a person signed in (for back-channel logout);
* carries the authentication context of the authorization (``auth_time`` of this browser
  session, ``amr``, ``acr``, ``sid``) from the code to the ID token, inside the grant's
  ``claims`` JSON (key ``_mol_auth``); refreshes issue no new ID token (OpenID Connect Core
  §12.2 allows it), so no ID token ever says something the browser session did not;
* holds the token endpoint to the letter: a reused code revokes what it issued (RFC 6749
  §4.1.2), ``redirect_uri`` is required there when it was sent at authorization (§4.1.3),
  one client authentication method per request (§2.3), client-credentials tokens get no
  ``openid`` scope, and only public clients get the RFC 8252 loopback any-port rule.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.core.cache import cache
from jwcrypto import jws
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
    redirect_to_uri_allowed,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from core.request_context import current_request

from .authn import GRANT_CONTEXT_KEY
from .clients import application_by_client_id
from .constants import CLAIM_SCOPES
from .selectors import (
    access_token_by_value,
    refresh_token_by_value,
    subject_for_user,
    user_may_use,
    user_role_codes_in_application,
)
from .services import (
    application_sign_in_record,
    audit_oidc_event,
    policy_refusal_record,
    token_event_record,
)

logger = logging.getLogger("accounts.oidc")

Application = get_application_model()
AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()

# How long a used authorization code is remembered, so that presenting it again revokes the
# tokens it gave (RFC 6749 §4.1.2: "SHOULD revoke (when possible)").
USED_CODE_SECONDS = 24 * 3600


def _code_key(code: str) -> str:
    return "oidc:used-code:" + hashlib.sha256(code.encode()).hexdigest()


def published_keys():
    """Every published key (the signing key first) as jwcrypto keys, by ``kid``."""
    keys = {}
    pems = [oauth2_settings.OIDC_RSA_PRIVATE_KEY, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]
    for pem in pems:
        if pem:
            key = jwk_from_pem(pem)
            keys[key.thumbprint()] = key
    return keys


def signing_key():
    """The current signing key and its ``kid``."""
    key = jwk_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    return key, key.thumbprint()


class PortalOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, **CLAIM_SCOPES}

    # --- Clients --------------------------------------------------------------------------

    def _load_application(self, client_id, request):
        """The application for ``client_id`` through the cache of registered clients (one
        cache read instead of a query per token request). Client ID Metadata Documents are
        off, so an unknown id is simply unknown."""
        client = getattr(request, "client", None)
        if isinstance(client, Application) and client.client_id == client_id:
            return client
        application = application_by_client_id(client_id)
        if application is None or not application.is_usable(request):
            request.client = None
            return None
        request.client = application
        return application

    def _load_access_token(self, token):
        """The access token with what userinfo reads (user, unit, subject) in one query."""
        return (
            AccessToken.objects.select_related(
                "application", "user", "user__organization", "user__oidc_subject"
            )
            .filter(token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest())
            .first()
        )

    def authenticate_client(self, request, *args, **kwargs):
        """One authentication method per request (RFC 6749 §2.3): Basic and a
        ``client_secret`` in the body together are refused."""
        if self._extract_basic_auth(request) and getattr(request, "client_secret", None):
            return False
        return super().authenticate_client(request, *args, **kwargs)

    @staticmethod
    def redirect_uri_registered(application, uri: str) -> bool:
        """Exact match with a registered URI; the RFC 8252 loopback rule (any port on
        127.0.0.1 / [::1]) only for public clients, the native apps it was written for."""
        if application.client_type == Application.CLIENT_PUBLIC:
            return redirect_to_uri_allowed(uri, application.redirect_uris.split())
        return uri in application.redirect_uris.split()

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return self.redirect_uri_registered(request.client, redirect_uri)

    def confirm_redirect_uri(
        self, client_id, code, redirect_uri, client, request=None, *args, **kwargs
    ):  # noqa: E501
        """The token request repeats the ``redirect_uri`` of the authorization request,
        and must send it when that one did."""
        context = getattr(request, "mol_auth_context", None) or {}
        if getattr(request, "using_default_redirect_uri", False) and context.get(
            "redirect_uri_sent", True
        ):
            return False
        return super().confirm_redirect_uri(
            client_id, code, redirect_uri, client, request, *args, **kwargs
        )

    # --- Scopes -------------------------------------------------------------------------

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        """``openid`` is for people: a client-credentials token gets no default scope."""
        if request.grant_type == "client_credentials":
            return []
        return super().get_default_scopes(client_id, request, *args, **kwargs)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if request.grant_type == "client_credentials" and "openid" in scopes:
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    # --- Claims -------------------------------------------------------------------------

    def get_additional_claims(self, request):
        """Claims of ``request.user`` for ``request.client``. Values that cost a query are
        callables, evaluated only when their scope was granted."""
        user = request.user
        application = request.client

        def unit(_request):
            org = user.organization
            if org is None:
                return None
            return {"code": org.code, "name_zh": org.name_zh, "name_en": org.name_en}

        return {
            "sub": subject_for_user(user),
            "name": user.name_zh or user.name_en or user.get_username(),
            "preferred_username": user.get_username(),
            "employee_number": user.employee_number or "",
            "name_zh": user.name_zh,
            "name_en": user.name_en,
            "job_title": user.job_title,
            "unit": unit,
            "email": user.email,
            # The address comes from the HR system of record, not from the person.
            "email_verified": bool(user.email),
            "roles": lambda _request: user_role_codes_in_application(user, application),
        }

    def get_discovery_claims(self, request):
        return [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "sid",
            "name",
            "preferred_username",
            "email",
            "email_verified",
            *CLAIM_SCOPES,
        ]

    # --- Device of the sign-in ------------------------------------------------------------
    # The token request comes from the application's server; the person's browser is seen only
    # at the authorization step. Its IP address and user agent are kept for the code's short
    # life and copied to the sign-in when the code is exchanged ("my sessions" shows them).

    @staticmethod
    def _device_key(code: str) -> str:
        return "oidc:code-device:" + hashlib.sha256(code.encode()).hexdigest()

    def _create_authorization_code(self, request, code, expires=None):
        """The grant, with the authentication context of the session in its ``claims``."""
        grant = super()._create_authorization_code(request, code, expires)
        context = getattr(request, "mol_auth_context", None)
        if context:
            claims = json.loads(grant.claims or "{}")
            claims[GRANT_CONTEXT_KEY] = context
            grant.claims = json.dumps(claims)
            grant.save(update_fields=["claims"])
        return grant

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            self._revoke_reused_code(code, client)
            return False
        claims = dict(getattr(request, "claims", None) or {})
        request.mol_auth_context = claims.pop(GRANT_CONTEXT_KEY, None) or {}
        request.claims = claims or None
        return self._user_still_admitted(request.user, client, "code")

    def _revoke_reused_code(self, code, client) -> None:
        """A code presented again after it was exchanged: revoke every token it gave."""
        used = cache.get(_code_key(code))
        if not used or client is None or used.get("client") != client.pk:
            return
        cache.delete(_code_key(code))
        if used.get("family"):
            RefreshToken.revoke_family(used["family"])
        for token in AccessToken.objects.filter(pk__in=used.get("access", [])):
            token.revoke()
        audit_oidc_event(event="code_reused", application=client, details="tokens revoked")

    def refresh_id_token(self, request):
        """No new ID token on refresh: the ID token belongs to the authentication, which a
        refresh does not repeat (OpenID Connect Core §12.2 allows leaving it out)."""
        return False

    def get_id_token_dictionary(self, token, token_handler, request):
        """``auth_time`` of this browser session's authentication (not the person's last
        login anywhere), ``amr``, ``acr`` and ``sid``, from the grant."""
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        context = getattr(request, "mol_auth_context", None) or {}
        if context.get("auth_time"):
            claims["auth_time"] = int(context["auth_time"])
        for name in ("amr", "acr", "sid"):
            if context.get(name):
                claims[name] = context[name]
        return claims, expiration_time

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        ctx = current_request.get()
        if ctx is not None:
            cache.set(
                self._device_key(code["code"]),
                {"ip": ctx.ip_address, "agent": ctx.user_agent},
                timeout=oauth2_settings.AUTHORIZATION_CODE_EXPIRE_SECONDS + 60,
            )

    def finalize_id_token(self, id_token, token, token_handler, request):
        serialized = super().finalize_id_token(id_token, token, token_handler, request)

        device = None
        if getattr(request, "code", None):
            device = cache.get(self._device_key(request.code))
        application_sign_in_record(
            user=request.user,
            application=request.client,
            issuer=self.get_oidc_issuer_endpoint(request),
            ip_address=device["ip"] if device else None,
            user_agent=device["agent"] if device else None,
        )
        return serialized

    # --- Keys ---------------------------------------------------------------------------

    def _get_key_for_token(self, token):
        """The published key named by the token's ``kid`` (old keys included), else the
        audience application's own key (HS256 clients)."""
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header
        if isinstance(header, list):  # JSON serialization with several signatures
            header = header[0] if header else {}
        kid = (header or {}).get("kid")
        if kid:
            key = published_keys().get(kid)
            if key is not None:
                return key
            return None
        return super()._get_key_for_token(token)

    # --- Token events -------------------------------------------------------------------

    def _save_bearer_token(self, token, request, *args, **kwargs):
        result = super()._save_bearer_token(token, request, *args, **kwargs)

        grant_type = request.grant_type or ""
        if grant_type == "authorization_code" and getattr(request, "code", None):
            self._remember_used_code(request.code, request.client, token)
        token_event_record(
            event="token_refreshed" if grant_type == "refresh_token" else "token_issued",
            grant_type=grant_type,
            application=request.client,
            user=request.user if getattr(request.user, "pk", None) else None,
            scope=token.get("scope", ""),
        )
        return result

    @staticmethod
    def _remember_used_code(code: str, client, token: dict) -> None:
        access = AccessToken.objects.filter(
            token_checksum=hashlib.sha256(token["access_token"].encode()).hexdigest()
        ).first()
        if access is None:
            return
        refresh = RefreshToken.objects.filter(access_token=access).first()
        cache.set(
            _code_key(code),
            {
                "client": client.pk,
                "access": [access.pk],
                "family": str(refresh.token_family) if refresh and refresh.token_family else "",
            },
            timeout=USED_CODE_SECONDS,
        )

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):

        client_pk = getattr(request.client, "pk", None)
        found = access_token_by_value(token) or refresh_token_by_value(token)
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)
        if found is not None and found.application_id == client_pk:
            token_event_record(
                event="token_revoked",
                grant_type=type(found).__name__,
                application=found.application,
                user=found.user,
                scope=getattr(found, "scope", ""),
            )

    # --- prompt=none (silent sign-in) ----------------------------------------------------

    def validate_silent_login(self, request):
        """The authorization view validates only for signed-in users (django-oauth-toolkit
        answers ``login_required`` itself to anonymous ``prompt=none`` requests)."""
        return True

    def validate_silent_authorization(self, request):
        """Consent for ``prompt=none`` is checked by the authorization view, which knows the
        user (``consent_required`` when an external application has no live grant)."""
        return True

    # --- Who may still use a grant ------------------------------------------------------

    def _user_still_admitted(self, user, application, step: str) -> bool:

        if user is None or not user.is_active:
            return False
        if not user_may_use(user, application):
            policy_refusal_record(user=user, application=application, step=step)
            return False
        return True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return self._user_still_admitted(request.user, client, "refresh")
