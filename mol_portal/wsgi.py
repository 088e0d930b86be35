"""The WSGI application (gunicorn in production, ``runserver`` in the embedded default).

In eager mode (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) the process warns once,
when it loads the application, that background jobs run inline and periodic jobs do not run.
Management commands (``migrate``, ``seed_demo``) do not load it, so ``make run`` prints the
warning once, when the server starts. A configuration error prints one line and exits.
"""

import logging
import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from mol_portal import datadir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")
datadir.prepare()

# Exit status 3 is gunicorn's "worker failed to boot": the master stops instead of respawning.
WORKER_BOOT_ERROR = 3

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # A configuration error is one clear line, not a traceback (see manage.py).
    sys.stderr.write(f"ImproperlyConfigured: {exc}\n")
    sys.stderr.flush()
    raise SystemExit(WORKER_BOOT_ERROR) from None

# Heartbeat pings (/ping/<uuid>, /start, /fail) skip the middleware stack: the lean handler of
# monitoring answers them with the same view code; every other path goes to Django unchanged.
from monitoring.wsgi_ping import dispatch  # noqa: E402

application = dispatch(application)

if settings.CELERY_TASK_ALWAYS_EAGER:
    logging.getLogger("mol_portal").warning(
        "Celery runs in EAGER mode: background jobs run inline in the web process "
        "and periodic jobs do not run. Fine for the embedded default and tests only."
    )
