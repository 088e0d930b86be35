"""Login lockouts that cannot be used to lock other people out (django-axes ``AXES_HANDLER``).

Two rules, over the attempts django-axes records (``AXES_LOCKOUT_PARAMETERS`` =
``[["username", "ip_address"], "username"]``, in this order):

* **(account, address)**: after ``AXES_FAILURE_LIMIT`` failures for one account from one
  address, that pair is locked for ``AXES_COOLOFF_TIME``. Other accounts from the same address
  (everyone behind a ministry NAT) and the same account from other addresses are not.
* **account, from anywhere**: after ``LOGIN_ACCOUNT_DELAY_AFTER`` failures for one account
  over all addresses, each further attempt must wait ``LOGIN_ACCOUNT_DELAY_SECONDS`` × 2^(n −
  threshold) after the last failure, at most ``LOGIN_ACCOUNT_DELAY_MAX_SECONDS``: a growing
  delay against guessing from many addresses, never a long lock. Attempts refused by the delay
  are not counted (their password was never checked), so hammering does not lengthen it.

There is no rule by address alone. ``request.login_retry_at`` tells the lockout page
(``accounts.views.lockout_response``) when the delay ends.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def account_delay(failures: int) -> timedelta | None:
    """The wait after the last failure once an account has ``failures`` (None: no wait)."""
    over = failures - settings.LOGIN_ACCOUNT_DELAY_AFTER
    if over < 0:
        return None
    seconds = settings.LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** min(over, 30)
    return timedelta(seconds=min(seconds, settings.LOGIN_ACCOUNT_DELAY_MAX_SECONDS))


class PortalLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Failures of the (account, address) pair: what ``AXES_FAILURE_LIMIT`` counts."""
        pair = self.get_user_attempts(request, credentials)[0]
        return pair.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def is_locked(self, request, credentials=None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        if self.get_failures(request, credentials) >= settings.AXES_FAILURE_LIMIT:
            return True
        account = self.get_user_attempts(request, credentials)[1]
        totals = account.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
        delay = account_delay(totals["n"] or 0)
        if delay is None or totals["last"] is None:
            return False
        retry_at = totals["last"] + delay
        if timezone.now() >= retry_at:
            return False
        if request is not None:
            request.login_retry_at = retry_at
        return True

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """An attempt refused only by the account delay is not recorded as a failure."""
        retry_at = getattr(request, "login_retry_at", None) if request is not None else None
        if retry_at is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_locked(request, credentials):  # this failure started the account's delay
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
