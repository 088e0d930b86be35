import os

from django.core.asgi import get_asgi_application

from mol_portal import datadir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")
datadir.prepare()

application = get_asgi_application()
