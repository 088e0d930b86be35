"""Signal receivers of the MFA part (connected from ``AccountsConfig.ready``). They only
record: a lockout goes to the audit log; a login starts the session clocks and the "my
sessions" record whatever path signed the user in; a logout ends that record; a saved new
password stamps ``password_changed_at`` in the same save (so the audit entry of that save
carries it, and a re-hash on login, saved with update_fields=["password"], does not)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from .flow import session_started
from .services import lockout_audit, session_record_logout


@receiver(user_locked_out, dispatch_uid="accounts.mfa.lockout_audit")
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    lockout_audit(username=username or "", ip_address=ip_address)


@receiver(user_logged_out, dispatch_uid="accounts.mfa.session_ended")
def _on_logged_out(sender, request=None, user=None, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session_record_logout(session_key=session.session_key)


@receiver(user_logged_in, dispatch_uid="accounts.mfa.session_started")
def _on_logged_in(sender, request=None, user=None, **kwargs):
    if request is not None and user is not None:
        session_started(request, user)


@receiver(pre_save, sender="accounts.User", dispatch_uid="accounts.mfa.password_changed_at")
def _stamp_password_change(sender, instance, update_fields=None, **kwargs):
    if getattr(instance, "_password", None) is None:
        return  # set_password() was not called since the last save
    if update_fields is not None and "password_changed_at" not in update_fields:
        return
    instance.password_changed_at = timezone.now()
