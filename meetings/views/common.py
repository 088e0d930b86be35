from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from core.forms import add_service_errors

from .. import selectors
from ..models import Meeting


def meeting_or_404(user, pk) -> Meeting:
    try:
        return selectors.meeting_get(user, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def run(request, form, action, success: str, url: str):
    """Call ``action()`` (a service call); a ValidationError goes on ``form`` and into the
    messages. Returns a redirect to ``url`` either way (the page shows the outcome)."""
    try:
        action()
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
            for error in form.non_field_errors():
                messages.error(request, error)
            for field in form:
                for error in field.errors:
                    messages.error(request, f"{field.label}: {error}")
        else:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect(url)


def form_errors_to_messages(request, form) -> None:
    for error in form.non_field_errors():
        messages.error(request, error)
    for field in form:
        for error in field.errors:
            messages.error(request, f"{field.label}: {error}")
