"""Staff pages under /petitions/staff/. Each needs a login and a petitions role (or a case
assigned to the user), and reads through ``Petition.objects.visible_to`` (anything else → 404).

Each action of the case page is one form (``forms.CASE_ACTION_FORMS``) posted to its own URL
and one view calling one service; the service checks the actor again. A refused form shows the
case page again with the errors next to their fields (400); a success redirects to the case.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.files import file_response
from core.forms import add_service_errors
from notifications.selectors import deliveries_for

from ..choices import PetitionSource, PetitionStatus
from ..forms import (
    CASE_ACTION_FORMS,
    AssignForm,
    ExtendForm,
    InboundAssignForm,
    MergeForm,
    NoteForm,
    RejectForm,
    ReplyForm,
)
from ..models import Category, Petition
from ..selectors import staff as selectors
from ..services import cases, intake


def staff_view(view):
    """Login, then a petitions role or an assigned case: anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_use_staff_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _filters(request) -> dict:
    get = request.GET
    return {
        "status": get.get("status", ""),
        "category": get.get("category", ""),
        "unit": get.get("unit", ""),
        "source": get.get("source", ""),
        "overdue": get.get("overdue") == "1",
        "q": get.get("q", "").strip()[:50],
    }


@staff_view
def triage(request):
    filters = _filters(request)
    qs = selectors.triage_list(user=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [selectors.petition_row(p) for p in page.object_list]
    return render(
        request,
        "petitions/staff/triage.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "statuses": PetitionStatus.choices,
            "sources": PetitionSource.choices,
            "categories": Category.objects.filter(active=True),
        },
    )


@staff_view
def export_csv(request):
    qs = selectors.triage_list(user=request.user, **_filters(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="petitions.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("Case number"), _("Status"), _("Name"), _("E-mail"), _("Subject"), _("Deadline")]
    )
    for petition in qs.iterator(chunk_size=500):
        row = selectors.petition_row(petition)
        subject = petition.subject
        if subject[:1] in ("=", "+", "-", "@"):
            subject = "'" + subject  # no formulas in spreadsheets
        writer.writerow(
            [
                petition.case_number,
                petition.get_status_display(),
                row["citizen_name"],
                row["citizen_email"],
                subject,
                petition.deadline or "",
            ]
        )
    return response


@staff_view
def overdue(request):
    return render(
        request,
        "petitions/staff/overdue.html",
        {"units": selectors.overdue_by_unit(user=request.user)},
    )


def _case(request, pk) -> Petition:
    petition = selectors.staff_case(user=request.user, pk=pk)
    if petition is None:
        raise Http404
    return petition


def _case_page(request, petition: Petition, *, bound=None, status: int = 200):
    """The case page; ``bound`` is the action form that failed, shown with its errors."""
    allowed = selectors.case_permissions(user=request.user, petition=petition)
    forms = {}
    for form_class in CASE_ACTION_FORMS:
        if not allowed[_RULES[form_class]]:
            continue
        if bound is not None and isinstance(bound, form_class):
            forms[form_class.action] = bound
        else:
            forms[form_class.action] = form_class(petition=petition, user=request.user)
    return render(
        request,
        "petitions/staff/detail.html",
        {
            "petition": petition,
            "events": petition.events.select_related("actor"),
            "notes": petition.notes.select_related("author"),
            "extensions": petition.extensions.all(),
            "inbound": petition.inbound_messages.defer("raw"),
            "outbound": deliveries_for(petition),
            "attachments": petition.attachments.all(),
            "forms": forms,
            "can_manage": allowed["manage"],
            "can_act": allowed["act"],
        },
        status=status,
    )


@staff_view
def detail(request, pk):
    return _case_page(request, _case(request, pk))


#: Which rule of ``selectors.case_permissions`` each action form needs.
_RULES = {
    NoteForm: "manage",
    AssignForm: "manage",
    ExtendForm: "manage",
    ReplyForm: "act",
    RejectForm: "act",
    MergeForm: "act",
}


def _run_action(request, pk, form_class, call: Callable[[Petition, dict], object], done: str):
    """Validate the posted form of one action and call its service; see the module doc."""
    petition = _case(request, pk)
    if not selectors.case_permissions(user=request.user, petition=petition)[_RULES[form_class]]:
        raise PermissionDenied
    form = form_class(request.POST, petition=petition, user=request.user)
    if form.is_valid():
        try:
            call(petition, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("petitions:staff:detail", pk=petition.pk)
    return _case_page(request, petition, bound=form, status=400)


@require_POST
@staff_view
def assign(request, pk):
    return _run_action(
        request,
        pk,
        AssignForm,
        lambda petition, data: cases.petition_assign(
            petition=petition, handler=data["handler"], actor=request.user, version=data["version"]
        ),
        _("The case is assigned."),
    )


@require_POST
@staff_view
def note(request, pk):
    return _run_action(
        request,
        pk,
        NoteForm,
        lambda petition, data: cases.note_add(
            petition=petition, text=data["text"], actor=request.user, version=data["version"]
        ),
        _("The note is saved."),
    )


@require_POST
@staff_view
def extend(request, pk):
    return _run_action(
        request,
        pk,
        ExtendForm,
        lambda petition, data: cases.deadline_extend(
            petition=petition,
            working_days=data["working_days"],
            reason=data["reason"],
            actor=request.user,
            version=data["version"],
        ),
        _("The deadline is extended."),
    )


@require_POST
@staff_view
def reply(request, pk):
    return _run_action(
        request,
        pk,
        ReplyForm,
        lambda petition, data: cases.reply_submit(
            petition=petition,
            text=data["text"],
            signers=data["signers"],
            actor=request.user,
            version=data["version"],
        ),
        _("The reply is sent for sign-off."),
    )


@require_POST
@staff_view
def reject(request, pk):
    return _run_action(
        request,
        pk,
        RejectForm,
        lambda petition, data: cases.petition_reject(
            petition=petition, reason=data["reason"], actor=request.user, version=data["version"]
        ),
        _("The case is rejected."),
    )


@require_POST
@staff_view
def merge(request, pk):
    return _run_action(
        request,
        pk,
        MergeForm,
        lambda petition, data: cases.petition_merge(
            petition=petition, into=data["into"], actor=request.user, version=data["version"]
        ),
        _("The case is merged."),
    )


# --- Citizens' files ----------------------------------------------------------------------------


@require_GET
def attachment_download(request, pk):
    """A citizen's file, for whoever may read its case or the case's registered document
    (``selectors.staff.readable_attachments``; 404 otherwise). Not behind ``staff_view``: a
    reader of the document may hold no petitions role. Always a download (``attachment``)
    with ``nosniff``, so a file is never rendered in the portal's origin."""
    attachment = get_object_or_404(selectors.readable_attachments(user=request.user), pk=pk)
    return attachment_response(attachment)


def attachment_response(attachment) -> HttpResponse:
    """The file as a download (``core.files.file_response``: the proxy sends the bytes when
    ``MEDIA_X_ACCEL_REDIRECT_PREFIX`` is set, else Django streams them from the storage)."""
    return file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- Unmatched mail ------------------------------------------------------------------------------


def _queue_page(request, *, bound=None, status: int = 200):
    items = list(selectors.unmatched_queue(user=request.user)[:200])
    rows = [
        (
            item,
            bound
            if bound is not None and bound.inbound.pk == item.pk
            else InboundAssignForm(inbound=item, user=request.user),
        )
        for item in items
    ]
    return render(request, "petitions/staff/queue.html", {"rows": rows}, status=status)


@staff_view
def queue(request):
    return _queue_page(request)


@require_POST
@staff_view
def queue_assign(request, pk):
    inbound = get_object_or_404(selectors.dispatchable_messages(user=request.user), pk=pk)
    form = InboundAssignForm(request.POST, inbound=inbound, user=request.user)
    if form.is_valid():
        try:
            intake.inbound_assign(
                inbound=inbound, petition=form.cleaned_data["case"], actor=request.user
            )
        except ValidationError as exc:
            if exc.code == "handled":  # e.g. the form was sent twice: nothing changed
                messages.info(request, exc.messages[0])
                return redirect("petitions:staff:queue")
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The message is attached to the case."))
            return redirect("petitions:staff:queue")
    return _queue_page(request, bound=form, status=400)
