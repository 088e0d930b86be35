"""Pages of the platform (login required). Each list starts from ``Case.objects.visible_to``
(through ``selectors.case_list``); each change is one form, one view and one service call."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors
from core.masking import mask_name

from . import selectors, services
from .choices import CaseSource
from .constants import WRITE_ROLES
from .forms import (
    AttachmentForm,
    CaseEditForm,
    CaseFilterForm,
    ImportForm,
    IntakeForm,
    TransitionForm,
    service_renames,
)
from .models import CaseTransition
from .pagination import CasePaginator
from .services.imports import COMMON as IMPORT_COLUMNS

PAGE_SIZE = 25


def _require_use(request) -> None:
    if not selectors.can_use(request.user):
        raise PermissionDenied(_("You hold no role of the labour-administration platform."))


def _querystring_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _list(request, *, title: str, extra: dict, template="labor_admin/case_list.html"):
    _require_use(request)
    form = CaseFilterForm(request.GET or None)
    filters = {**form.filters(), **extra}
    queryset = selectors.case_list(request.user, filters=filters)
    page = CasePaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "title": title,
            "form": form,
            "page": page,
            "querystring": _querystring_without_page(request),
            "today": timezone.localdate(),
            "can_write": selectors.can_write_anywhere(request.user),
        },
    )


@require_GET
def case_list(request):
    return _list(request, title=_("Cases I can see"), extra={})


@require_GET
def my_cases(request):
    return _list(request, title=_("My cases"), extra={"handler": request.user, "open": True})


@require_GET
def overdue_cases(request):
    return _list(request, title=_("Overdue cases"), extra={"overdue": True})


class _Echo:
    def write(self, value):
        return value


@require_GET
def case_export(request):
    """The visible cases (with the page's filters) as CSV; applicants' names masked."""
    _require_use(request)
    form = CaseFilterForm(request.GET or None)
    queryset = selectors.case_list(request.user, filters=form.filters()).order_by("pk")
    writer = csv.writer(_Echo())
    header = [_("Case number"), _("Case type"), _("Unit"), _("County/city"), _("Received on"),
              _("Status"), _("Due on"), _("Closed on"), _("Subject"), _("Applicant"),
              _("Employer"), _("Employer's business ID"), _("Industry sector")]  # fmt: skip

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for case in queryset.iterator(chunk_size=2000):
            yield writer.writerow([
                case.number, case.case_type.code, case.unit.code, case.county.code,
                case.received_on.isoformat(), case.status.code, case.due_on.isoformat(),
                case.closed_on.isoformat() if case.closed_on else "", case.subject,
                mask_name(case.applicant_name), case.employer_name, case.employer_business_id,
                case.industry_sector,
            ])  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="labor-cases.csv"'
    return response


@require_GET
def intake_choose(request):
    _require_use(request)
    if not selectors.writable_units(request.user).exists():
        raise PermissionDenied(_("You may not take in cases for any unit."))
    return render(request, "labor_admin/intake_choose.html", {"case_types": selectors.case_types()})


@require_http_methods(["GET", "POST"])
def intake(request, code: str):
    case_type = selectors.case_type_by_code(code)
    if case_type is None:
        raise Http404
    if not selectors.writable_units(request.user).exists():
        raise PermissionDenied(_("You may not take in cases for any unit."))
    form = IntakeForm(
        request.POST or None,
        case_type=case_type,
        actor=request.user,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = form.common_values()
        values["data"] = form.type_data()
        try:
            case = services.case_create(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                case_type=case_type,
                values=values,
                handler=request.user
                if selectors.handler_choices(form.cleaned_data["unit"])
                .filter(pk=request.user.pk)
                .exists()
                else None,
                source=CaseSource.PAGE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renames=service_renames(case_type))
        else:
            messages.success(request, _("Case %(number)s received.") % {"number": case.number})
            return redirect(case)
    return render(
        request,
        "labor_admin/intake.html",
        {"form": form, "case_type": case_type, "preview": False},
    )


@require_GET
def type_preview(request, code: str):
    """The intake form of a case type as it will look (linked from the admin); not postable."""
    if not (request.user.is_staff or selectors.can_use(request.user)):
        raise PermissionDenied
    case_type = selectors.case_type_by_code(code, active_only=False)
    if case_type is None:
        raise Http404
    form = IntakeForm(case_type=case_type, actor=request.user)
    return render(
        request,
        "labor_admin/intake.html",
        {"form": form, "case_type": case_type, "preview": True},
    )


def _case_or_404(request, pk: int):
    case = selectors.case_get(request.user, pk)
    if case is None:
        raise Http404
    return case


def _detail_context(request, case, *, forms_by_transition=None, attachment_form=None):
    forms_by_transition = forms_by_transition or {}
    transitions = [
        (t, forms_by_transition.get(t.pk) or TransitionForm(prefix=f"t{t.pk}"))
        for t in selectors.available_transitions(request.user, case)
    ]
    can_write = selectors.covers(request.user, case.unit_id, WRITE_ROLES)
    fields = [(f.label, case.data.get(f.code), f) for f in case.case_type.fields.all()]
    return {
        "case": case,
        "fields": fields,
        "events": case.events.select_related("actor", "from_status", "to_status", "api_client"),
        "attachments": case.attachments.all(),
        "transitions": transitions,
        "can_write": can_write and case.is_open,
        "attachment_form": attachment_form or AttachmentForm(),
        "today": timezone.localdate(),
    }


@require_GET
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    return render(request, "labor_admin/case_detail.html", _detail_context(request, case))


@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = _case_or_404(request, pk)
    if not selectors.covers(request.user, case.unit_id, WRITE_ROLES):
        raise PermissionDenied
    form = CaseEditForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, actor=request.user, values=form.values())
        except ValidationError as exc:
            add_service_errors(form, exc, renames=service_renames(case.case_type))
        else:
            messages.success(request, _("The case was saved."))
            return redirect(case)
    return render(request, "labor_admin/case_edit.html", {"case": case, "form": form})


@require_POST
def case_transition(request, pk: int, transition_pk: int):
    case = _case_or_404(request, pk)
    transition = get_object_or_404(
        CaseTransition.objects.select_related("to_status"),
        pk=transition_pk,
        case_type_id=case.case_type_id,
    )
    form = TransitionForm(request.POST, prefix=f"t{transition.pk}")
    if form.is_valid():
        try:
            services.case_transition(
                case=case,
                transition=transition,
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done: %(name)s.") % {"name": transition.name})
            return redirect(case)
    context = _detail_context(request, case, forms_by_transition={transition.pk: form})
    return render(request, "labor_admin/case_detail.html", context, status=400)


@require_POST
def attachment_upload(request, pk: int):
    case = _case_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_attachment_add(
                case=case, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file was attached."))
            return redirect(case)
    context = _detail_context(request, case, attachment_form=form)
    return render(request, "labor_admin/case_detail.html", context, status=400)


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    case = _case_or_404(request, pk)
    attachment = get_object_or_404(case.attachments.all(), pk=attachment_pk)
    return file_response(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


@require_http_methods(["GET", "POST"])
def case_import(request):
    _require_use(request)
    if not selectors.writable_units(request.user).exists():
        raise PermissionDenied(_("You may not take in cases for any unit."))
    form = ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        report = services.cases_import(unit=form.cleaned_data["unit"], actor=request.user, raw=raw)
        if report.ok:
            messages.success(request, _("%(n)s cases imported.") % {"n": report.created})
            return redirect("labor_admin:list")
    return render(
        request,
        "labor_admin/import.html",
        {
            "form": form,
            "report": report,
            "columns": IMPORT_COLUMNS,
            "case_types": selectors.case_types(),
        },  # fmt: skip
        status=400 if report is not None else 200,
    )


def _board_context(request) -> dict:
    return {"board": selectors.board(request.user), "now": timezone.localtime()}


def board_refresh_seconds() -> int:
    """How often the open board fetches new figures: ``LABOR_ADMIN_BOARD_REFRESH_SECONDS``
    (default 30, at least 2)."""
    return max(2, int(getattr(settings, "LABOR_ADMIN_BOARD_REFRESH_SECONDS", 30)))


@require_GET
def board(request):
    _require_use(request)
    context = {**_board_context(request), "refresh_seconds": board_refresh_seconds()}
    return render(request, "labor_admin/board_live.html", context)


@require_GET
def board_figures(request):
    """The board's figures alone, fetched by htmx every ``board_refresh_seconds()``."""
    _require_use(request)
    response = render(request, "labor_admin/includes/board_figures.html", _board_context(request))
    response["Cache-Control"] = "no-store"
    return response
