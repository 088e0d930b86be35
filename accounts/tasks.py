"""Celery tasks of accounts: each part keeps its tasks in its package; imported here so
Celery's autodiscovery (which looks for accounts.tasks) registers them.

``BEAT``: the periodic jobs of accounts, merged into the beat schedule by ``mol_portal.celery``
(see ``core/tasks.py``). Intervals come from settings (HR_SYNC_INTERVAL_MINUTES,
LDAP_SYNC_MINUTES, LDAP_FULL_SYNC_HOURS); the directory syncs are scheduled only while
LDAP_DIRECTORIES configures at least one directory.
"""

from datetime import timedelta

from django.conf import settings

from .hr import tasks as hr_tasks  # noqa: F401
from .ldap import tasks as ldap_tasks  # noqa: F401
from .oidc import tasks as oidc_tasks  # noqa: F401

BEAT = {
    "accounts-hr-sync": {
        "task": "accounts.hr.tasks.hr_sync_scheduled",
        "schedule": timedelta(minutes=settings.HR_SYNC_INTERVAL_MINUTES),
        "options": {"expires": settings.HR_SYNC_INTERVAL_MINUTES * 60},
    },
    "accounts-oidc-backchannel-retry": {
        "task": "accounts.oidc.tasks.backchannel_retry_due",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
    "accounts-oidc-clear-expired-tokens": {
        "task": "accounts.oidc.tasks.clear_expired_tokens",
        "schedule": timedelta(hours=6),
        "options": {"expires": 60 * 60},
    },
}
if settings.LDAP_DIRECTORIES:
    BEAT["accounts-ldap-sync"] = {
        "task": "accounts.ldap.tasks.ldap_sync_all",
        "schedule": timedelta(minutes=settings.LDAP_SYNC_MINUTES),
        "options": {"expires": settings.LDAP_SYNC_MINUTES * 60},
    }
    BEAT["accounts-ldap-full-sync"] = {
        "task": "accounts.ldap.tasks.ldap_sync_all",
        "schedule": timedelta(hours=settings.LDAP_FULL_SYNC_HOURS),
        "kwargs": {"full": True},
        "options": {"expires": 60 * 60},
    }
