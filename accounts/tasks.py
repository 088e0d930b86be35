"""Celery tasks of accounts: each part keeps its tasks in its package; imported here so
Celery's autodiscovery (which looks for accounts.tasks) registers them."""

from .hr import tasks as hr_tasks  # noqa: F401
from .ldap import tasks as ldap_tasks  # noqa: F401
from .oidc import tasks as oidc_tasks  # noqa: F401
