"""Who calls the notifications API: an application with an OAuth2 client-credentials token.

Each gunicorn worker remembers a client-credentials token it has checked, with the sender
registration of its application, for ``API_AUTH_CACHE_SECONDS`` (the token's expiry is still
checked on every request): a sender posting many notices costs two queries fewer each. A
change to a token, an application or a sender in this process forgets everything at once;
elsewhere (another worker, the admin on another host) it takes effect within those seconds.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.oidc.clients import ClientCaller, authenticate_client, parse_bearer

from ..constants import API_AUTH_CACHE_SECONDS, SCOPE_SEND
from ..models import ApiClient
from ..selectors import api_client_for
from ..services.outbox import cache_redis

_UNKNOWN = object()
_CACHE_SIZE = 1000


@dataclass
class _Checked:
    until: float
    caller: ClientCaller
    client: object = _UNKNOWN  # the ApiClient (or None), once the permission looked it up


_checked: dict[str, _Checked] = {}
_checked_lock = threading.Lock()


def _forget_checked(**_kwargs) -> None:
    with _checked_lock:
        _checked.clear()


for _model in (ApiClient, get_access_token_model(), get_application_model()):
    post_save.connect(_forget_checked, sender=_model, dispatch_uid=f"notif-auth-{_model}")
    post_delete.connect(_forget_checked, sender=_model, dispatch_uid=f"notif-auth-del-{_model}")


def _checked_caller(request, bearer: str) -> _Checked | None:
    """The checked caller of ``bearer``: remembered, or from ``authenticate_client``."""
    key = hashlib.sha256(bearer.encode("utf-8")).hexdigest()
    now = time.monotonic()
    entry = _checked.get(key)
    if entry is not None and entry.until > now and not entry.caller.token.is_expired():
        return entry
    caller = authenticate_client(request._request)
    if caller is None or caller.token is None:
        _checked.pop(key, None)
        return None
    entry = _Checked(until=now + API_AUTH_CACHE_SECONDS, caller=caller)
    if caller.is_client_itself:  # person tokens are refused anyway: nothing to remember
        with _checked_lock:
            if len(_checked) >= _CACHE_SIZE:
                _checked.clear()
            _checked[key] = entry
    return entry


class ClientTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <access token>``. ``request.auth`` is the ``ClientCaller``.
    No header: anonymous (the permission answers 401); a bad token: 401."""

    def authenticate(self, request):
        bearer = parse_bearer(request.META.get("HTTP_AUTHORIZATION", ""))
        if bearer is None:
            return None
        entry = _checked_caller(request, bearer)
        caller = entry.caller if entry is not None else None
        if caller is None or caller.token is None:
            raise exceptions.AuthenticationFailed(
                _("The access token is not valid or has expired.")
            )
        request._notification_checked = entry
        return (caller.user or AnonymousUser(), caller)

    def authenticate_header(self, request):
        return f'Bearer realm="notifications", scope="{SCOPE_SEND}"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = ClientTokenAuthentication
    name = "clientCredentials"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "OAuth2 client credentials from the token endpoint /o/token/.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {SCOPE_SEND: "Send notices"},
                }
            },
        }


def caller_of(request) -> ClientCaller | None:
    return request.auth if isinstance(request.auth, ClientCaller) else None


class CanSendNotices(permissions.BasePermission):
    """A client-credentials token holding ``notifications:send``, of an application an
    administrator registered as an API sender (admin: Notifications › API senders)."""

    message = _(
        "The token must hold the scope “notifications:send” and its application must be "
        "registered as an API sender."
    )

    def has_permission(self, request, view):
        caller = caller_of(request)
        if caller is None or caller.token is None or not caller.is_client_itself:
            return False
        if SCOPE_SEND not in caller.scopes:
            return False
        entry = getattr(request, "_notification_checked", None)
        if entry is not None and entry.caller is caller and entry.client is not _UNKNOWN:
            client = entry.client
        else:
            client = api_client_for(caller.application)
            if entry is not None and entry.caller is caller:
                entry.client = client
        if client is None:
            return False
        request.notification_client = client
        return True


class ClientRateThrottle(throttling.BaseThrottle):
    """A fixed window per client and minute in the cache: ``ApiClient.rate_per_minute`` or
    ``NOTIFICATIONS_API_RATE_PER_MINUTE``. A cache outage lets requests through (the API must
    not fail because Redis does)."""

    def allow_request(self, request, view):
        client = getattr(request, "notification_client", None)
        if client is None:
            return True
        limit = client.rate_per_minute or settings.NOTIFICATIONS_API_RATE_PER_MINUTE
        now = timezone.now()
        self._wait = 60 - now.second
        key = f"notifications:rate:{client.pk}:{now:%Y%m%d%H%M}"
        try:
            count = _count(key)
        except Exception:  # noqa: BLE001 - degrade open
            return True
        return count <= limit

    def wait(self):
        return getattr(self, "_wait", 60)


def _count(key: str) -> int:
    """Add one to the counter ``key`` (kept 70 s) and return it: one round trip to Redis
    (``INCR`` and ``EXPIRE`` pipelined), or ``add``/``incr`` on another cache."""
    redis = cache_redis()
    if redis is not None:
        backend, client = redis
        name = backend.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, 70)
        return int(pipe.execute()[0])
    backend = caches["default"]
    if backend.add(key, 1, timeout=70):
        return 1
    return backend.incr(key)
