"""Application groups: the list, create, change and delete (a group with checks is refused);
monitoring managers only, everyone else gets 403. The unit and contact-rule choices come from
``selectors.group_unit_choices``/``contact_rule_choices``; the service checks them again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import ConfirmForm, GroupForm
from ..models import ApplicationGroup
from ..services import checks, groups
from .pages import _page


def _require_manager(request):
    if not selectors.is_manager(request.user):
        raise PermissionDenied


@require_GET
def group_list(request):
    _require_manager(request)
    found = (
        selectors.groups_manageable_by(request.user)
        .select_related("unit")
        .prefetch_related("contact_rules")
        .annotate(check_count=Count("checks"))
    )
    return _page(request, "monitoring/group_list.html", {"groups": found})


def _group_page(request, group: ApplicationGroup | None):
    _require_manager(request)
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        units=selectors.group_unit_choices(group),
        rules=selectors.contact_rule_choices(request.user),
        group=group,
    )
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data.get("form_token")
        try:
            saved = groups.group_save(
                actor=request.user,
                group=group,
                creation_key=checks.creation_key(request.user, token) if token else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The application group is saved."))
            return redirect("monitoring:group-edit", saved.pk)
    return _page(
        request,
        "monitoring/group_form.html",
        {"form": form, "group": group},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def group_create(request):
    return _group_page(request, None)


def _group(request, pk: int) -> ApplicationGroup:
    _require_manager(request)
    return get_object_or_404(selectors.groups_manageable_by(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    return _group_page(request, _group(request, pk))


@require_http_methods(["GET", "POST"])
def group_delete(request, pk: int):
    group = _group(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            groups.group_delete(actor=request.user, group=group)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("The application group is deleted."))
            return redirect("monitoring:groups")
    return _page(
        request,
        "monitoring/confirm_delete.html",
        {
            "form": form,
            "section": "groups",
            "title": _("Delete the application group %(name)s") % {"name": group.name},
            "text": _(
                "The group's status page goes away; its contact rules and maintenance windows "
                "stay. A group that still has checks cannot be deleted."
            ),
            "button": _("Delete the group"),
            "cancel_url": reverse("monitoring:group-edit", args=[group.pk]),
        },
        status=status,
    )
