"""Pluggable permission for the documents API.

Today every authenticated user (session) may call it; row-level access is
``Document.objects.visible_to``. When the accounts app issues OAuth2 client-credential
tokens, set ``DOCUMENTS_API_PERMISSION_CLASSES`` to a list of dotted paths (for example a
scope check) without touching this app. The setting is read per request, never at import.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def api_permission_classes():
    """``settings.DOCUMENTS_API_PERMISSION_CLASSES``, read per request."""
    return [import_string(path) for path in settings.DOCUMENTS_API_PERMISSION_CLASSES]


class PluggablePermissionsMixin:
    def get_permissions(self):
        return [permission() for permission in api_permission_classes()]
