"""The WSGI application (gunicorn in production, ``runserver`` in the embedded default).

In eager mode (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) the process warns once,
when it loads the application, that background jobs run inline and periodic jobs do not run.
Management commands (``migrate``, ``seed_demo``) do not load it, so ``make run`` prints the
warning once, when the server starts.
"""

import logging
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")

application = get_wsgi_application()

if settings.CELERY_TASK_ALWAYS_EAGER:
    logging.getLogger("mol_portal").warning(
        "Celery runs in EAGER mode: background jobs run inline in the web process "
        "and periodic jobs do not run. Fine for the embedded default and tests only."
    )
