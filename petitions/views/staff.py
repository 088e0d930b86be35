"""Staff pages under /petitions/staff/. The /petitions/ prefix is public for the global login
middleware, so every view here is decorated with ``login_required`` and reads through
``visible_to`` (anything else → 404)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..choices import PetitionSource, PetitionStatus
from ..models import Category, Petition, ReplyTemplate
from ..selectors import staff as selectors
from ..services import intake, staff


def _staff_required(view):
    """Login, then a unit or the view permission: a user without either sees nothing."""

    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (
            user.is_superuser
            or user.has_perm("petitions.view_petition")
            or getattr(user, "organization_id", None)
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
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


@_staff_required
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


@_staff_required
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


@_staff_required
def overdue(request):
    return render(
        request,
        "petitions/staff/overdue.html",
        {"units": selectors.overdue_by_unit(user=request.user)},
    )


def _petition(request, pk, *, to_act: bool = False) -> Petition:
    """A case the user may see (404 otherwise); with ``to_act``, one they may act on too
    (403 when they may only see it)."""
    petitions = Petition.objects.visible_to(request.user).confirmed()
    petitions = petitions.select_related(
        "category", "county", "handling_unit", "handler", "document"
    )
    petition = get_object_or_404(petitions, pk=pk)
    if to_act and not Petition.objects.actionable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return petition


@_staff_required
def detail(request, pk):
    petition = _petition(request, pk)
    User = get_user_model()
    colleagues = User.objects.filter(is_active=True)
    if petition.handling_unit_id:
        colleagues = colleagues.filter(organization_id__in=petition.handling_unit.descendant_ids())
    return render(
        request,
        "petitions/staff/detail.html",
        {
            "petition": petition,
            "events": petition.events.select_related("actor"),
            "notes": petition.notes.select_related("author"),
            "extensions": petition.extensions.all(),
            "inbound": petition.inbound_messages.defer("raw"),
            "outbound": petition.outbound_mails.all(),
            "attachments": petition.attachments.all(),
            "colleagues": colleagues.order_by("username")[:200],
            "templates": ReplyTemplate.objects.filter(active=True),
            "can_act": Petition.objects.actionable_by(request.user).filter(pk=pk).exists(),
        },
    )


@require_POST
@_staff_required
def act(request, pk, action):
    """One POST endpoint per action; errors are shown as messages naming the field."""
    petition = _petition(request, pk, to_act=True)
    data = request.POST
    User = get_user_model()
    try:
        if action == "assign":
            handler = get_object_or_404(User, pk=data.get("handler") or 0)
            staff.petition_assign(petition=petition, handler=handler, actor=request.user)
        elif action == "note":
            staff.note_add(petition=petition, author=request.user, text=data.get("text", ""))
        elif action == "extend":
            try:
                days = int(data.get("working_days") or 0)
            except ValueError:
                days = 0
            staff.deadline_extend(
                petition=petition,
                working_days=days,
                reason=data.get("reason", ""),
                actor=request.user,
            )
        elif action == "reply":
            signers = list(User.objects.filter(pk__in=data.getlist("signers"), is_active=True))
            text = data.get("text", "")
            if not text.strip() and data.get("template"):
                template = ReplyTemplate.objects.filter(
                    pk=data.get("template"), active=True
                ).first()
                text = template.body if template else ""
            staff.reply_submit(petition=petition, text=text, signers=signers, actor=request.user)
        elif action == "reject":
            staff.petition_reject(
                petition=petition, reason=data.get("reason", ""), actor=request.user
            )
        elif action == "merge":
            into = get_object_or_404(
                Petition.objects.actionable_by(request.user), case_number=data.get("into", "")
            )
            staff.petition_merge(petition=petition, into=into, actor=request.user)
        else:
            return HttpResponse(status=404)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect("petitions:staff:detail", pk=petition.pk)


@_staff_required
def queue(request):
    items = selectors.unmatched_queue(user=request.user)[:200]
    return render(request, "petitions/staff/queue.html", {"items": items})


@require_POST
@_staff_required
def queue_assign(request, pk):
    inbound = get_object_or_404(selectors.unmatched_queue(user=request.user), pk=pk)
    petition = get_object_or_404(
        Petition.objects.visible_to(request.user), case_number=request.POST.get("case", "")
    )
    try:
        intake.inbound_assign(inbound=inbound, petition=petition, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("petitions:staff:queue")
