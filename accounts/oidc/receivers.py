"""Signal receivers of the OpenID Connect part (connected by ``AccountsConfig.ready``).

They only count and hand over: logins are counted for monitoring, and the end of a portal
session (whatever view ended it) is passed to the back-channel logout.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import metrics
from .choices import LogoutReason


@receiver(user_logged_in, dispatch_uid="accounts.oidc.count_login")
def count_login(sender, request, user, **kwargs):
    method = metrics.login_method_for_backend(getattr(user, "backend", "") or "")
    metrics.increment("sso_logins_total", method=method, result="success")


@receiver(user_login_failed, dispatch_uid="accounts.oidc.count_login_failure")
def count_login_failure(sender, credentials=None, request=None, **kwargs):
    # Django does not say which backend refused: a user name + password that no backend
    # accepted counts as "password" (local or directory alike).
    sender_name = sender if isinstance(sender, str) else getattr(sender, "__module__", "")
    method = metrics.login_method_for_backend(sender_name or "")
    if method == metrics.OTHER and "password" in (credentials or {}):
        method = "password"
    metrics.increment("sso_logins_total", method=method, result="failure")


@receiver(user_logged_out, dispatch_uid="accounts.oidc.backchannel_on_logout")
def backchannel_on_logout(sender, request, user, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return
    from .backchannel import notify_user_logout

    reason = getattr(request, "oidc_logout_reason", LogoutReason.LOGOUT)
    notify_user_logout(user_id=user.pk, reason=reason)
