"""Application groups: the list, create, change and delete (a group with checks is refused);
monitoring managers only, everyone else gets 403. The unit and contact-rule choices come from
``selectors.group_unit_choices``/``contact_rule_choices``; the service checks them again."""

from __future__ import annotations

from functools import partial

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..forms import GroupForm
from ..models import ApplicationGroup
from ..services import groups
from .managed import delete_page, form_page, require_manager
from .pages import _page


@require_GET
def group_list(request):
    require_manager(request)
    found = (
        selectors.groups_manageable_by(request.user)
        .select_related("unit")
        .prefetch_related("contact_rules")
        .annotate(check_count=Count("checks"))
    )
    return _page(request, "monitoring/group_list.html", {"groups": found})


def _group_page(request, group: ApplicationGroup | None):
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        units=selectors.group_unit_choices(group),
        rules=selectors.contact_rule_choices(request.user),
        group=group,
    )
    return form_page(
        request,
        obj=group,
        form=form,
        save=partial(groups.group_save, group=group),
        saved_message=_("The application group is saved."),
        edit_url="monitoring:group-edit",
        template="monitoring/group_form.html",
        context_name="group",
    )


@require_http_methods(["GET", "POST"])
def group_create(request):
    require_manager(request)
    return _group_page(request, None)


def _group(request, pk: int) -> ApplicationGroup:
    require_manager(request)
    return get_object_or_404(selectors.groups_manageable_by(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    return _group_page(request, _group(request, pk))


@require_http_methods(["GET", "POST"])
def group_delete(request, pk: int):
    group = _group(request, pk)
    return delete_page(
        request,
        obj=group,
        delete=partial(groups.group_delete, group=group),
        deleted_message=_("The application group is deleted."),
        list_url="monitoring:groups",
        edit_url="monitoring:group-edit",
        section="groups",
        title=_("Delete the application group %(name)s") % {"name": group.name},
        text=_(
            "The group's status page goes away; its contact rules and maintenance windows "
            "stay. A group that still has checks cannot be deleted."
        ),
        button=_("Delete the group"),
    )
