"""Signal receivers of the MFA part (connected from ``AccountsConfig.ready``). They only
record: a lockout goes to the audit log, a logout ends the "my sessions" record."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from .services import lockout_audit, session_record_logout


@receiver(user_locked_out, dispatch_uid="accounts.mfa.lockout_audit")
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    lockout_audit(username=username or "", ip_address=ip_address)


@receiver(user_logged_out, dispatch_uid="accounts.mfa.session_ended")
def _on_logged_out(sender, request=None, user=None, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session_record_logout(session_key=session.session_key)
