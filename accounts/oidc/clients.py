"""Authenticating a *client* (an application) by its own credentials.

Used by the introspection endpoint and the rights API. Three ways, tried in this order:

* ``Authorization: Basic base64(client_id:client_secret)`` (RFC 6749 section 2.3.1) -
  confidential clients only;
* ``client_id`` + ``client_secret`` in a form body - the same, for clients that cannot send
  Basic (RFC 6749 allows it; only where the caller passes ``allow_body=True``);
* ``Authorization: Bearer <access token>`` - a token issued to the client, valid and unexpired.
  The token says which application (and, for user tokens, which person) is calling.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import check_password, identify_hasher
from django.utils.crypto import constant_time_compare

from ..models import Application
from .selectors import access_token_by_value


@dataclass
class ClientCaller:
    """Who is calling: an application, through its secret or one of its tokens."""

    application: Application
    method: str  # "basic", "body" or "bearer"
    token: object | None = None  # the AccessToken for "bearer"

    @property
    def user(self):
        """The person on whose behalf a user token acts (None for the client itself)."""
        return getattr(self.token, "user", None) if self.token is not None else None

    @property
    def is_client_itself(self) -> bool:
        """True for the client's own credentials: its secret or a client-credentials token."""
        return self.user is None

    @property
    def scopes(self) -> set[str]:
        return set((getattr(self.token, "scope", "") or "").split())


def secret_matches(application: Application, secret: str) -> bool:
    stored = application.client_secret or ""
    if not stored or not secret:
        return False
    try:
        identify_hasher(stored)
    except ValueError:
        return constant_time_compare(secret, stored)
    return check_password(secret, stored)


def _confidential_by_secret(client_id: str, secret: str) -> Application | None:
    if not client_id or not secret:
        return None
    try:
        application = Application.objects.filter(client_id=client_id).first()
    except ValueError:  # e.g. a NUL byte PostgreSQL refuses
        return None
    if application is None or application.client_type != Application.CLIENT_CONFIDENTIAL:
        return None
    return application if secret_matches(application, secret) else None


def parse_basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def parse_bearer(header: str) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_client(request, *, allow_body: bool = False) -> ClientCaller | None:
    """The calling client, or None when the request carries no valid client credentials."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    basic = parse_basic(header)
    if basic is not None:
        application = _confidential_by_secret(*basic)
        return ClientCaller(application, "basic") if application else None
    bearer = parse_bearer(header)
    if bearer is not None:
        token = access_token_by_value(bearer)
        if token is None or token.application_id is None or token.is_expired():
            return None
        if token.user_id is not None and not token.user.is_active:
            return None
        return ClientCaller(token.application, "bearer", token)
    if allow_body and request.method == "POST":
        application = _confidential_by_secret(
            request.POST.get("client_id", ""), request.POST.get("client_secret", "")
        )
        return ClientCaller(application, "body") if application else None
    return None
