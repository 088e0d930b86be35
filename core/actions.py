"""A page's POST that calls one service and shows its outcome as messages.

``service_action(request, call, success=...)`` runs ``call()``: its ``ValidationError``
messages become error messages (nothing else changes: the service wrote nothing), a
``PermissionDenied`` becomes a 404 (the object is not the reader's to act on; with
``hide_denied=False`` it stays a 403, for readers who may see the object), and otherwise
``success`` (a string, or a function of what ``call`` returned) becomes a success message.
The view then redirects where the outcome shows."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def service_action(request, call: Callable, *, success, hide_denied: bool = True) -> bool:
    """True when ``call`` succeeded; see the module's note."""
    try:
        result = call()
    except PermissionDenied as exc:
        if not hide_denied:
            raise
        raise Http404 from exc
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
