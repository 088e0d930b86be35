"""Creating, changing and deleting checks (every kind a person makes: HTTP, TCP, DNS,
heartbeat). The choices come from the selectors; the services check the same rule again.

An invalid form answers 400 with the form as typed; a form sent twice creates one check (its
one-time token)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import CheckForm, ConfirmForm
from ..services import checks
from .pages import _page, _require_use


def _form(request, check=None) -> CheckForm:
    user = request.user
    return CheckForm(
        request.POST if request.method == "POST" else None,
        groups=selectors.groups_creatable_by(user).order_by("order", "code"),
        parents=selectors.dependency_choices(user, check),
        rules=selectors.contact_rule_choices(user, check),
        check=check,
    )


def _render(request, form, check=None):
    return _page(
        request,
        "monitoring/check_form.html",
        {"form": form, "check": check},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def check_create(request):
    _require_use(request)
    if not selectors.groups_creatable_by(request.user).exists():
        raise PermissionDenied
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = data.get("form_token")
        try:
            check = checks.check_create(
                actor=request.user,
                group=data["group"],
                depends_on=list(data["depends_on"]),
                contact_rules=list(data["contact_rules"]),
                creation_key=checks.creation_key(request.user, token) if token else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("group", _("You may not create checks in this group."))
        else:
            messages.success(request, _("The check is saved."))
            return redirect(check)
    return _render(request, form)


def _operable_check(request, pk: int):
    _require_use(request)
    check = get_object_or_404(
        selectors.checks_visible_to(request.user).select_related("group"), pk=pk
    )
    if not selectors.may_operate(request.user, check):
        raise PermissionDenied
    return check


@require_http_methods(["GET", "POST"])
def check_edit(request, pk: int):
    check = _operable_check(request, pk)
    form = _form(request, check)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = checks.check_update(
                actor=request.user,
                check=check,
                group=data["group"],
                depends_on=list(data["depends_on"]),
                contact_rules=list(data["contact_rules"]),
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("group", _("You may not move the check to this group."))
        else:
            messages.success(request, _("The check is saved."))
            return redirect(check)
    return _render(request, form, check)


@require_http_methods(["GET", "POST"])
def check_delete(request, pk: int):
    check = _operable_check(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        checks.check_delete(actor=request.user, check=check)
        messages.success(request, _("The check and its history are deleted."))
        return redirect("monitoring:dashboard")
    return _page(request, "monitoring/check_delete.html", {"check": check, "form": form})
