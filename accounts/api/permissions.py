"""Who may do what in the rights API. Every answer concerns the *calling* application only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from ..oidc.clients import ClientCaller
from ..oidc.selectors import user_is_application_admin


def caller_of(request) -> ClientCaller | None:
    return request.auth if isinstance(request.auth, ClientCaller) else None


class IsApplicationClient(permissions.BasePermission):
    """Reads: the application itself (its secret or a client-credentials token), or a user
    token of one of its administrators (role ``admin`` in that application)."""

    message = _(
        "Call this with the application's own credentials, or a token of one of its administrators."
    )

    def has_permission(self, request, view):
        caller = caller_of(request)
        if caller is None:
            return False
        if caller.is_client_itself:
            return True
        return user_is_application_admin(caller.user, caller.application)


class IsApplicationAdministrator(permissions.BasePermission):
    """Role changes: only a person holding the role ``admin`` of the application, acting
    through a token the application obtained for them. The client alone cannot change roles."""

    message = _(
        "Only an administrator of this application (role “admin”) may change its roles, with a "
        "token the application obtained when they signed in."
    )

    def has_permission(self, request, view):
        caller = caller_of(request)
        if caller is None or caller.is_client_itself:
            return False
        return user_is_application_admin(caller.user, caller.application)


class IsMonitoring(permissions.BasePermission):
    message = _("Only monitoring (the metrics token) and staff may read the counters.")

    def has_permission(self, request, view):
        if request.auth == "metrics":
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
