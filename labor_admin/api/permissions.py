"""Who calls the API: a person (session) or an API client of one unit.

An application authenticates with its own credentials (``Authorization: Bearer`` with a
client-credentials token, or ``Basic`` with its id and secret, ``accounts.api``); it must be
registered as a case API client (admin: *Case API clients*), which binds it to exactly one
unit. ``principal(request)`` is then that ``ApiClient``; every selector and service takes it
as ``who``/``actor`` and so never reaches another unit. Tokens issued to a person on behalf
of an application are refused here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.oidc.clients import ClientCaller

from ..selectors import api_client_for
from .authentication import _UNKNOWN


def principal(request):
    return getattr(request, "_labor_principal", None)


class IsPersonOrUnitClient(permissions.BasePermission):
    message = _("Sign in, or call as an application registered as a case API client of one unit.")

    def has_permission(self, request, view):
        caller = request.auth if isinstance(request.auth, ClientCaller) else None
        if caller is not None:
            if not caller.is_client_itself:
                return False
            entry = getattr(request, "_labor_checked", None)
            if entry is not None and entry.caller is caller and entry.client is not _UNKNOWN:
                client = entry.client
            else:
                client = api_client_for(caller.application)
                if entry is not None and entry.caller is caller:
                    entry.client = client  # remembered with the header (authentication)
            if client is None or not client.active:
                return False
            request._labor_principal = client
            return True
        if request.user and request.user.is_authenticated:
            request._labor_principal = request.user
            return True
        return False
