"""The CSRF failure page (``CSRF_FAILURE_VIEW``) and keeping what a person typed.

A form posted after its session (and CSRF cookie) expired is refused by Django's CSRF check.
``csrf_failure`` answers with the branded bilingual page explaining that the session expired,
except for views marked ``@keeps_input_on_csrf_failure`` (the petition form, the progress
look-up and other public forms): those are called again with the posted data and
``request.csrf_resubmission`` set, and must only re-render their form bound to ``request.POST``
(``resubmission_response``), never act on it. The page they render carries a fresh token (the
``{% csrf_token %}`` tag sets a new cookie), so the person checks the text and sends it again.
Marked views that need a login are re-rendered only for a signed-in user.
"""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from .middleware import is_public_view

logger = logging.getLogger(__name__)

RESUBMIT_MESSAGE = _(
    "Your session expired, so what you sent was not received yet. Nothing you typed is lost: "
    "please check it and send it again (files must be chosen again)."
)


def keeps_input_on_csrf_failure(view):
    """Mark a form view to be re-rendered with the posted data after a CSRF failure."""
    view.csrf_keeps_input = True
    return view


def needs_resubmission(request) -> bool:
    """Whether this call comes from ``csrf_failure``: re-render the form, do not act."""
    return bool(getattr(request, "csrf_resubmission", False))


def resubmission_response(request, form, template: str, context: dict | None = None):
    """The form bound to the posted data, with the expired-session message, status 403."""
    form.is_valid()
    form.add_error(None, RESUBMIT_MESSAGE)
    return render(request, template, {**(context or {}), "form": form}, status=403)


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: the form again for marked views, else the explanation page."""
    logger.info("CSRF failure on %s: %s", request.path_info, reason)
    if request.method == "POST":
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        view = match.func if match else None
        user = getattr(request, "user", None)
        allowed = view is not None and (
            is_public_view(view) or (user is not None and user.is_authenticated)
        )
        if allowed and getattr(view, "csrf_keeps_input", False):
            request.csrf_resubmission = True
            return view(request, *match.args, **match.kwargs)
    return render(request, "errors/csrf_failure.html", status=403)
