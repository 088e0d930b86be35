"""One view shape for "mail me that again" forms on public pages.

A citizen types an address (and maybe a case number); the service mails a link or a code to
an address it already knows, or does nothing; the page always gives the same neutral answer,
so nobody learns whether an address is known. ``mail_request`` is that view: the form, the
service, the neutral message, a redirect; the CSRF re-render of
``core.csrf.keeps_input_on_csrf_failure``; the service's ``ValidationError`` on the form's
fields (``core.forms.add_service_errors``) with 429 for a rate limit.

The view that uses it stays a marked, decorated function of its app::

    @keeps_input_on_csrf_failure
    @login_not_required
    @require_http_methods(["GET", "POST"])
    def my_link(request):
        return mail_request(
            request,
            form=_my_link_form,
            template="epaper/public/my_link.html",
            send=lambda data, origin: link_request(email=data["email"], **origin),
            done=_("If %(email)s receives one of our newsletters, ..."),
            success_url="epaper:my_link",
        )
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from core.csrf import needs_resubmission, resubmission_response
from core.forms import add_service_errors
from core.http import client_ip

RATE_CODE = "rate"


def request_origin(request) -> dict:
    """What a mailing service needs to know of the request: the client's IP (one trusted-proxy
    rule), the site root the links in the mail point at, and the page's language."""
    return {
        "ip": client_ip(request),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "language": get_language(),
    }


def refusal_status(exc: ValidationError) -> int:
    """429 for a rate limit (``code="rate"``), else 400."""
    return 429 if getattr(exc, "code", None) == RATE_CODE else 400


def mail_request(
    request,
    *,
    form: Callable,
    template: str,
    send: Callable[[dict, dict], object],
    done,
    success_url: str,
    context: dict | None = None,
    get_redirects: bool = False,
):
    """GET shows the form (or redirects to ``success_url`` when ``get_redirects``, for a form
    that lives on another page); POST validates it and calls ``send(cleaned_data,
    request_origin(request))``. On success ``done % cleaned_data`` is flashed and the browser
    goes to ``success_url``; a refusal comes back on the form (400, or 429 for a rate limit)."""
    context = context or {}
    if request.method == "GET" and get_redirects:
        return redirect(success_url)
    if needs_resubmission(request):
        return resubmission_response(request, form(request.POST), template, context)
    bound = form(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if bound.is_valid():
            try:
                send(bound.cleaned_data, request_origin(request))
            except ValidationError as exc:
                add_service_errors(bound, exc)
                status = refusal_status(exc)
            else:
                messages.success(request, done % bound.cleaned_data)
                return redirect(success_url)
    return render(request, template, {**context, "form": bound}, status=status)
