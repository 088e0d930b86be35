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
import hashlib
import logging
import time
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import check_password, identify_hasher
from django.utils.crypto import constant_time_compare

from ..models import Application
from . import fastcache
from .selectors import access_token_by_value

logger = logging.getLogger("accounts.oidc.clients")

# Registered applications are read on every token request, introspection and rights-API call.
# They are kept in the cache (Redis in production, shared by all processes) for a minute, and
# saving or deleting an application forgets it there at once (accounts.oidc.receivers). Each
# process also remembers them for a few seconds, which saves the cache round trip on busy
# clients: a deleted application or a replaced secret stops working within that time.
APPLICATION_CACHE_SECONDS = 60
APPLICATION_MEMO_SECONDS = 5
APPLICATION_MEMO_SIZE = 500
_memo: dict[str, tuple[float, Application]] = {}


def _application_key(client_id: str) -> str:
    return "sso:app:" + hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()


def application_by_client_id(client_id: str) -> Application | None:
    """The application registered as ``client_id`` (from the cache when it is there). Unknown
    ids are not cached, so made-up ids cannot fill the cache."""
    if not client_id:
        return None
    remembered = _memo.get(client_id)
    now = time.monotonic()
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    application = _application_from_cache(client_id)
    if application is not None:
        if len(_memo) >= APPLICATION_MEMO_SIZE:
            _memo.clear()
        _memo[client_id] = (now + APPLICATION_MEMO_SECONDS, application)
    return application


def _application_from_cache(client_id: str) -> Application | None:
    key = _application_key(client_id)
    try:
        cached = fastcache.get(key)
    except Exception:  # noqa: BLE001 - the database still answers when the cache does not
        logger.warning("application cache unavailable", exc_info=True)
        cached = None
    if isinstance(cached, Application):
        return cached
    try:
        application = Application.objects.filter(client_id=client_id).first()
    except ValueError:  # e.g. a NUL byte PostgreSQL refuses
        return None
    if application is not None:
        try:
            fastcache.set(key, application, APPLICATION_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("application cache unavailable", exc_info=True)
    return application


def application_cache_forget(client_id: str) -> None:
    _memo.pop(client_id, None)
    try:
        fastcache.delete(_application_key(client_id))
    except Exception:  # noqa: BLE001
        logger.warning("could not forget application %s in the cache", client_id, exc_info=True)


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
    application = application_by_client_id(client_id)
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
