"""Signal receivers of the OpenID Connect part (connected by ``AccountsConfig.ready``).

They only count and hand over: logins are counted for monitoring, the end of a portal session
(whatever view ended it) is passed to the back-channel logout, and a saved or deleted
application is dropped from the cache of registered clients.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Application
from . import metrics
from .backchannel import notify_sessions_end
from .choices import LogoutReason
from .clients import application_cache_forget


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
    # This browser session ends: the applications signed in from it are told, with its
    # sid. A session that signed in to no application tells nobody.
    reason = getattr(request, "oidc_logout_reason", LogoutReason.LOGOUT)
    session = getattr(request, "session", None)
    if session is None:
        return
    notify_sessions_end(
        user_id=user.pk, sessions={session.session_key or "": dict(session.items())}, reason=reason
    )


@receiver(post_save, sender=Application, dispatch_uid="accounts.oidc.forget_saved_application")
@receiver(post_delete, sender=Application, dispatch_uid="accounts.oidc.forget_deleted_application")
def forget_cached_application(sender, instance, **kwargs):
    application_cache_forget(instance.client_id)
