from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import roc_year

from .. import selectors, services
from ..forms import CaseDecisionForm, CaseFilterForm, ProgressForm, ProposalForm
from ..models import Meeting, TrackedCase
from .common import form_errors_to_messages, run


def _case(request, pk: int) -> TrackedCase:
    try:
        return selectors.case_get(request.user, pk)
    except TrackedCase.DoesNotExist as exc:
        raise Http404 from exc


def case_list(request):
    form = CaseFilterForm(request.GET or None)
    status, unit = "", None
    if form.is_valid():
        status = form.cleaned_data["status"]
        unit = form.cleaned_data["unit"]
    rows = selectors.case_list(request.user, status=status, unit=unit.pk if unit else None)
    page = Paginator(rows.order_by("status", "due_date", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "meetings/case_list.html", {"form": form, "page": page})


def _decision_meetings(user, case):
    """Later meetings of the case's series that ``user`` chairs (the form's choices)."""
    rows = Meeting.objects.filter(
        series_id=case.meeting.series_id, starts_at__gt=case.meeting.starts_at
    ).exclude(case_decisions__case=case)
    if not user.is_superuser:
        rows = rows.filter(chair=user)
    return rows.order_by("starts_at")


def case_detail(request, pk: int):
    case = _case(request, pk)
    progress, decisions = selectors.case_history(case)
    meetings = _decision_meetings(request.user, case)
    return render(
        request,
        "meetings/case_detail.html",
        {
            "case": case,
            "progress": progress,
            "decisions": decisions,
            "progress_form": ProgressForm()
            if services.may_file_progress(request.user, case)
            else None,
            "proposal_form": (
                ProposalForm(initial={"proposal": case.proposal or None})
                if selectors.is_controller(request.user, case.meeting) and case.status == "open"
                else None
            ),
            "decision_form": (
                CaseDecisionForm(meetings=meetings)
                if case.status == "open" and meetings.exists()
                else None
            ),
        },
    )


@require_POST
def progress_file(request, pk: int):
    case = _case(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(case)
    return run(
        request,
        form,
        lambda: services.progress_file(
            case=case, actor=request.user, text=form.cleaned_data["text"]
        ),
        _("The progress was filed."),
        case.get_absolute_url(),
    )


@require_POST
def case_propose(request, pk: int):
    case = _case(request, pk)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(case)
    return run(
        request,
        form,
        lambda: services.case_propose(
            case=case, actor=request.user, proposal=form.cleaned_data["proposal"]
        ),
        _("The proposal was recorded."),
        case.get_absolute_url(),
    )


@require_POST
def case_decide(request, pk: int):
    case = _case(request, pk)
    form = CaseDecisionForm(request.POST, meetings=_decision_meetings(request.user, case))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(case)
    data = form.cleaned_data
    return run(
        request,
        form,
        lambda: services.case_decide(
            case=case,
            meeting=data["meeting"],
            actor=request.user,
            decision=data["decision"],
            comment=data["comment"],
        ),
        _("The decision was recorded."),
        case.get_absolute_url(),
    )


def overdue(request):
    return render(
        request, "meetings/overdue.html", {"rows": selectors.overdue_by_unit(request.user)}
    )


def statistics(request):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else None
    return render(
        request,
        "meetings/statistics.html",
        {
            "rows": selectors.statistics(request.user, year=year),
            "year": year,
            "this_year": roc_year(),
        },
    )
