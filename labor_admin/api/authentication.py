"""Authentication of the case API's SSO clients, remembered per process for a short time.

``ClientCredentialsAuthentication`` (``accounts.api``) asks the database for the token (or
checks a Basic secret) on every request, and the permission then looks up the case API client
and its unit: three queries and, for Basic, a password hash, before any work. Like the
notifications API, each worker remembers a checked ``Authorization`` header (by its SHA-256,
never in clear) with its ``ClientCaller`` and ``ApiClient`` for ``API_AUTH_CACHE_SECONDS``
(setting ``LABOR_ADMIN_API_AUTH_CACHE_SECONDS``, default 30): a token's expiry is still
checked on every request; a change to a token, an application or a case API client in this
process forgets everything at once; in another worker it takes effect within those seconds.

Only the lookup is remembered: every permission check (the unit, writing, the transitions)
still runs in the selectors and services on every request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework import exceptions

from accounts.api.authentication import ClientCredentialsAuthentication
from accounts.api.schema import ClientCredentialsScheme
from accounts.oidc.clients import ClientCaller, authenticate_client

from ..models import ApiClient

_UNKNOWN = object()
_CACHE_SIZE = 1000


def cache_seconds() -> float:
    return float(getattr(settings, "LABOR_ADMIN_API_AUTH_CACHE_SECONDS", 30))


@dataclass
class Checked:
    until: float
    caller: ClientCaller
    client: object = _UNKNOWN  # the ApiClient (with its unit) or None, once looked up


_checked: dict[str, Checked] = {}
_lock = threading.Lock()


def forget(**_kwargs) -> None:
    with _lock:
        _checked.clear()


for _model in (ApiClient, get_access_token_model(), get_application_model()):
    post_save.connect(forget, sender=_model, dispatch_uid=f"labor-auth-{_model}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"labor-auth-del-{_model}")


def _usable(entry: Checked, now: float) -> bool:
    token = entry.caller.token
    return entry.until > now and (token is None or not token.is_expired())


class UnitClientAuthentication(ClientCredentialsAuthentication):
    """``ClientCredentialsAuthentication``, remembered per header for a few seconds.
    ``request.auth`` is the ``ClientCaller``; ``request._labor_checked`` the entry, which the
    permission fills with the case API client."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.split(" ", 1)[0].lower() if header else ""
        if scheme not in ("bearer", "basic"):
            return None
        key = hashlib.sha256(header.encode("utf-8")).hexdigest()
        now = time.monotonic()
        entry = _checked.get(key)
        if entry is None or not _usable(entry, now):
            caller = authenticate_client(request._request)
            if caller is None:
                _checked.pop(key, None)
                raise exceptions.AuthenticationFailed(
                    _("The client credentials or the access token are not valid.")
                )
            entry = Checked(until=now + cache_seconds(), caller=caller)
            if caller.is_client_itself and caller.user is None:
                with _lock:
                    if len(_checked) >= _CACHE_SIZE:
                        _checked.clear()
                    _checked[key] = entry
        request._labor_checked = entry
        return (entry.caller.user or AnonymousUser(), entry.caller)


class UnitClientScheme(ClientCredentialsScheme):
    """The SSO clients' description (``accounts.api.schema``) under the case API's own names:
    OpenAPI keeps one component per authentication class."""

    target_class = UnitClientAuthentication
    name = ["caseClientBearer", "caseClientBasic"]

    def get_security_requirement(self, auto_schema):
        return [{"caseClientBearer": []}, {"caseClientBasic": []}]
