"""The shape shared by the managers' simple objects (on-call shifts, application groups,
maintenance windows): one form page that creates or changes an object through its service,
and a delete page (confirm, then POST). Monitoring managers only, everyone else gets 403.

An invalid form answers 400 with the form as typed; a form sent twice makes one object (its
one-time token, stored as the object's ``creation_key``); a service's ``ValidationError`` goes
to the field it names (``renames`` maps a service field to the form field showing it)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from core.forms import add_service_errors

from .. import selectors
from ..forms import ConfirmForm
from ..services import checks
from .pages import _page


def require_manager(request) -> None:
    if not selectors.is_manager(request.user):
        raise PermissionDenied


def form_page(
    request,
    *,
    obj,
    form,
    save: Callable,
    saved_message: str,
    edit_url: str,
    template: str,
    context_name: str,
    renames: dict[str, str] | None = None,
):
    """``save(actor=, creation_key=, **form.service_fields())`` creates (``obj`` None) or
    changes ``obj``; on success the person lands on the object's edit page."""
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data.get("form_token")
        try:
            saved = save(
                actor=request.user,
                creation_key=checks.creation_key(request.user, token) if token else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renames=renames)
        else:
            messages.success(request, saved_message)
            return redirect(edit_url, saved.pk)
    return _page(
        request,
        template,
        {"form": form, context_name: obj},
        status=400 if request.method == "POST" else 200,
    )


def delete_page(
    request,
    *,
    obj,
    delete: Callable,
    deleted_message: str,
    list_url: str,
    edit_url: str,
    section: str,
    title: str,
    text: str,
    button: str,
):
    """``delete(actor=)`` removes ``obj``; a ``ValidationError`` (e.g. a group that still has
    checks) comes back as a 400 with the reason on the page."""
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            delete(actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            messages.success(request, deleted_message)
            return redirect(list_url)
    return _page(
        request,
        "monitoring/confirm_delete.html",
        {
            "form": form,
            "section": section,
            "title": title,
            "text": text,
            "button": button,
            "cancel_url": reverse(edit_url, args=[obj.pk]),
        },
        status=status,
    )
